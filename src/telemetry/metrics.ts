/**
 * Prometheus metrics (prom-client). Labelled by zone, status class and phase verdict, never by IP.
 * Child series are cached per label set so the hot path does one Map lookup and an add.
 */
import client from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface EdgeMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'zone' | 'status_class' | 'verdict'>;
  readonly originLatency: Histogram<'zone'>;
  readonly activeConnections: Gauge<'listener'>;
  readonly originFailures: Counter<'zone' | 'code'>;
  readonly clientErrors: Counter<'code'>;
  readonly snapshotVersion: Gauge;
  readonly snapshotBuildSeconds: Histogram;
  readonly healthyOrigins: Gauge<'zone'>;
  readonly stateFailures: Counter<'feature'>;
  /** Connections refused and HTTP/2 sessions sent away by admission control, by reason (never by IP). */
  readonly admissionRefused: Counter<'reason'>;
  /** Count a finished request (cached children). */
  countRequest(zone: string, status: number, verdict: string): void;
}

export function createEdgeMetrics(registry: Registry = new client.Registry()): EdgeMetrics {
  const requests = new client.Counter({ name: 'rampart_requests_total', help: 'Requests answered, by zone, status class and the verdict that decided them', labelNames: ['zone', 'status_class', 'verdict'] as const, registers: [registry] });
  const originLatency = new client.Histogram({ name: 'rampart_origin_response_seconds', help: 'Time from sending the request to the origin to its response headers', labelNames: ['zone'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const activeConnections = new client.Gauge({ name: 'rampart_active_connections', help: 'Open client connections', labelNames: ['listener'] as const, registers: [registry] });
  const originFailures = new client.Counter({ name: 'rampart_origin_failures_total', help: 'Failed origin exchanges by error code', labelNames: ['zone', 'code'] as const, registers: [registry] });
  const clientErrors = new client.Counter({ name: 'rampart_client_errors_total', help: 'Requests refused before routing (malformed, too large)', labelNames: ['code'] as const, registers: [registry] });
  const snapshotVersion = new client.Gauge({ name: 'rampart_config_version', help: 'Config version of the snapshot being served', registers: [registry], aggregator: 'min' });
  const snapshotBuildSeconds = new client.Histogram({ name: 'rampart_snapshot_build_seconds', help: 'Time to compile a config snapshot', buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry] });
  const healthyOrigins = new client.Gauge({ name: 'rampart_healthy_origins', help: 'Origins currently healthy per zone', labelNames: ['zone'] as const, registers: [registry], aggregator: 'max' });
  const stateFailures = new client.Counter({ name: 'rampart_state_failures_total', help: 'Shared-state operations that failed and fell back (fail-open), by feature', labelNames: ['feature'] as const, registers: [registry] });
  const admissionRefused = new client.Counter({ name: 'rampart_admission_refused_total', help: 'Connections refused (per_ip, rate, global, reserve) and HTTP/2 sessions sent away (h2_rapid_reset, h2_ping_flood, h2_settings_flood) by admission control', labelNames: ['reason'] as const, registers: [registry] });
  const children = new Map<string, { inc(): void }>();
  const CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
  return {
    registry, requests, originLatency, activeConnections, originFailures, clientErrors, snapshotVersion, snapshotBuildSeconds, healthyOrigins, stateFailures, admissionRefused,
    countRequest(zone, status, verdict) {
      const cls = CLASSES[(status / 100) | 0] ?? '0xx';
      const k = zone + '\0' + cls + '\0' + verdict;
      let c = children.get(k);
      if (c === undefined) {
        if (children.size > 50_000) children.clear();
        c = requests.labels(zone, cls, verdict);
        children.set(k, c);
      }
      c.inc();
    },
  };
}

export { client as promClient };
