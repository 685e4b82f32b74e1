/**
 * Entry point of an edge worker process (node:cluster). It owns no state of its own: the primary sends the
 * init options, every config snapshot, origin health changes, and answers certificate requests.
 */
import cluster from 'node:cluster';
import { enableSafeRegex } from '../lib/regex.ts';
import { buildSnapshot } from '../config/snapshot.ts';
import { createAccessLog, createLogger } from '../telemetry/logger.ts';
import { createEdgeMetrics, promClient } from '../telemetry/metrics.ts';
import { EdgeServer } from './edge-server.ts';
import type { FromWorker, ToWorker } from './ipc.ts';
import type { PemPair } from './tls/self-signed.ts';
import { createRequestPhases } from './phases/index.ts';
import { openState } from '../state/state-spec.ts';
import { createPostgresStores } from '../state/postgres/index.ts';
import { AbuseIpcClient, createAbuseHandler } from './abuse/index.ts';
import { SqliteAnalyticsStore } from '../state/sqlite/analytics-store.ts';
import { AnalyticsAggregator, createAnalyticsLogPhase } from '../analytics/index.ts';
import { SqliteSecurityEventStore } from '../state/sqlite/security-events.ts';
import { SecurityEventRecorder } from './events.ts';

enableSafeRegex();
if (!cluster.isWorker) throw new Error('src/edge/worker.ts runs only as a cluster worker');

const send = (m: FromWorker): void => { process.send?.(m); };
const abuseIpc = new AbuseIpcClient((m) => send(m));
let edge: EdgeServer | undefined;
let certSeq = 0;
const certWaiters = new Map<number, { resolve: (p: PemPair) => void; reject: (e: Error) => void }>();
let phaseSet: Awaited<ReturnType<typeof createRequestPhases>> | undefined;
let aggregator: AnalyticsAggregator | undefined;
let pendingSnapshot: Extract<ToWorker, { t: 'snapshot' }> | undefined;

function applySnapshot(m: Extract<ToWorker, { t: 'snapshot' }>): void {
  if (!edge) { pendingSnapshot = m; return; }
  const s = buildSnapshot(m.version, m.docs);
  edge.apply(s);
  send({ t: 'applied', version: m.version, buildMs: s.builtMs });
}

process.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'init': void init(m.init); break;
    case 'snapshot': applySnapshot(m); break;
    case 'health': edge?.health.setActive(m.zoneId, m.originKey, m.up); break;
    case 'cert': {
      const w = certWaiters.get(m.id);
      certWaiters.delete(m.id);
      if (w) { if (m.pem) w.resolve(m.pem); else w.reject(new Error(m.error ?? 'certificate unavailable')); }
      break;
    }
    case 'purge': {
      const ps = phaseSet;
      if (!ps) { send({ t: 'purged', id: m.id, removed: 0 }); break; }
      ps.purge(m.selector).then((removed) => send({ t: 'purged', id: m.id, removed }), (e: Error) => send({ t: 'purged', id: m.id, removed: 0, error: e.message }));
      break;
    }
    case 'abuse': abuseIpc.onMessage(m); break;
    case 'shutdown': void shutdown(); break;
  }
});

async function init(i: Extract<ToWorker, { t: 'init' }>['init']): Promise<void> {
  const logger = createLogger({ level: i.logLevel, name: `rampart-worker-${cluster.worker?.id ?? 0}` });
  const metrics = createEdgeMetrics(promClient.register);
  new promClient.AggregatorRegistry(); // installs the listener that answers the primary's aggregation requests
  const state = openState(i.state, {
    onFallback: () => metrics.stateFailures.labels('shared_state').inc(),
    onRemoteChange: (up, e) => {
      if (up) logger.warn({ store: i.state.kind }, 'shared state reachable again: counting fleet-wide');
      else logger.error({ store: i.state.kind, err: (e as Error | undefined)?.message }, 'shared state unreachable: rate limits count per node until it returns (fail-open)');
    },
  });
  const pgStores = i.events.kind === 'postgres' ? await createPostgresStores({ url: i.events.url, poolSize: 2 }) : undefined;
  const eventStore = pgStores?.events ?? new SqliteSecurityEventStore(i.events.kind === 'sqlite' ? i.events.path : '');
  // requests are counted in memory and flushed every 5 s (never a write per request)
  aggregator = new AnalyticsAggregator({ store: pgStores?.analytics ?? new SqliteAnalyticsStore({ path: i.analyticsPath }), onError: () => metrics.stateFailures.labels('analytics').inc() });
  const events = new SecurityEventRecorder(eventStore, (n) => metrics.stateFailures.labels('security_events').inc(n));
  edge = new EdgeServer({
    http: i.http, https: i.https, limits: i.limits, logger, metrics, nodeId: i.nodeId,
    requestPhases: (phaseSet = await createRequestPhases(state, logger, metrics, i.cache ?? {})).phases, events,
    admission: { onAbuse: (ip, kind) => phaseSet?.reportAbuse(ip, kind) },
    accessLog: createAccessLog(i.accessLog), defaultCert: i.defaultCert, logHooks: [createAnalyticsLogPhase(aggregator)],
    abuse: createAbuseHandler({ sink: abuseIpc, counters: state.counters, onError: (e) => logger.warn({ err: (e as Error).message }, 'abuse form problem') }),
    certSource: (host) => new Promise<PemPair>((resolve, reject) => {
      const id = ++certSeq;
      certWaiters.set(id, { resolve, reject });
      send({ t: 'cert', id, host });
      setTimeout(() => { if (certWaiters.delete(id)) reject(new Error('certificate request timed out')); }, 10_000).unref();
    }),
  });
  if (pendingSnapshot) { applySnapshot(pendingSnapshot); pendingSnapshot = undefined; }
  const ports = await edge.start();
  send({ t: 'ready', ...ports });
}

async function shutdown(): Promise<void> {
  if (edge) await edge.close(30_000);
  await aggregator?.close().catch(() => {});
  await phaseSet?.close().catch(() => {}); // the disk cache's recently-used order, and its lock file
  process.exit(0);
}

process.on('SIGTERM', () => { void shutdown(); });
process.on('SIGINT', () => { /* the primary coordinates shutdown */ });
process.on('SIGHUP', () => { /* the primary reloads */ });
process.on('disconnect', () => { void shutdown(); });
