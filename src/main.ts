/**
 * Composition root: reads the config, opens the state adapters, starts the control plane (admin API, publisher,
 * health checks) and the edge, in-process (`workers: 0`) or as node:cluster worker processes sharing the
 * listeners. The only file that wires control and edge together.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableSafeRegex } from './lib/regex.ts';
import { loadConfigFile } from './config/load.ts';
import { LimitsSchema } from './config/schema.ts';
import type { ConfigFile, Limits } from './config/schema.ts';
import { buildSnapshot } from './config/snapshot.ts';
import { SqliteConfigStore } from './state/sqlite/config-store.ts';
import type { ConfigDoc } from './state/ports.ts';
import { createAccessLog, createLogger } from './telemetry/logger.ts';
import type { Logger } from './telemetry/logger.ts';
import { createEdgeMetrics, promClient } from './telemetry/metrics.ts';
import { EdgeServer } from './edge/edge-server.ts';
import type { FromWorker, ToWorker, WorkerInit } from './edge/ipc.ts';
import { HealthChecker } from './edge/upstream/health.ts';
import { selfSignedCertificate } from './edge/tls/self-signed.ts';
import type { PemPair } from './edge/tls/self-signed.ts';
import { AdminServer } from './control/api/server.ts';
import { Router } from './control/api/router.ts';
import { registerZoneRoutes } from './control/api/routes/zones.ts';
import { registerSystemRoutes } from './control/api/routes/system.ts';
import { Publisher } from './control/publish/publisher.ts';
import { ZoneService } from './control/services/zones.ts';
import { CertService } from './control/services/certs.ts';
import { ZoneResourceService } from './control/services/zone-resources.ts';
import { ACCESS_RULES, FIREWALL_RULES, RATE_LIMIT_RULES, ListAwareResourceService, ListService, AccountRuleService, AccountAccessRuleService } from './control/services/rule-kinds.ts';
import { registerResourceRoutes, registerAccountRuleRoutes } from './control/api/routes/rules.ts';
import { registerListRoutes } from './control/api/routes/lists.ts';
import { registerCacheRuleRoutes } from './control/api/routes/cache-rules.ts';
import { CACHE_RULES } from './control/services/cache-rule-kind.ts';
import { createRequestPhases } from './edge/phases/index.ts';
import { openState, redactUrl } from './state/state-spec.ts';
import type { SharedState, StateSpec } from './state/state-spec.ts';
import { createPostgresStores, watchConfig } from './state/postgres/index.ts';
import { FleetBus } from './fleet/fleet-bus.ts';
import { WebhookService } from './control/services/webhooks.ts';
import { registerWebhookRoutes } from './control/api/routes/webhooks.ts';
import { SessionService } from './control/services/sessions.ts';
import { MitigationEvents } from './control/services/mitigation-events.ts';
import { registerSessionRoutes } from './control/api/routes/sessions.ts';
import { ActivationService, parseResolver, scanRecords } from './control/services/activation.ts';
import { ReviewService } from './control/services/reviews.ts';
import { registerOnboardingRoutes } from './control/api/routes/onboarding.ts';
import { NAMESERVERS } from './control/api/routes/zones.ts';
import { registerReputationRoutes } from './control/api/routes/reputation.ts';
import { createReputationReader } from './reputation/index.ts';
import { registerAutoMitigationRoutes } from './control/api/routes/auto-mitigation.ts';
import { publishTransparencyPage, renderTransparencyPage } from './control/services/transparency-page.ts';
import { SqliteAnalyticsStore } from './state/sqlite/analytics-store.ts';
import { AnalyticsAggregator, createAnalyticsLogPhase, startAnalyticsMaintenance } from './analytics/index.ts';
import { registerAnalyticsRoutes } from './control/api/routes/analytics.ts';
import { SqliteSecurityEventStore } from './state/sqlite/security-events.ts';
import { SecurityEventRecorder } from './edge/events.ts';
import { registerSecurityRoutes } from './control/api/routes/security.ts';
import { registerCacheRoutes } from './control/api/routes/cache.ts';
import { registerAccountRoutes } from './control/api/routes/accounts.ts';
import { registerDashboardRoutes } from './control/api/routes/dashboard.ts';
import { AccountService } from './control/services/accounts.ts';
import { registerDnsRoutes } from './control/api/routes/dns.ts';
import { DNS_RECORDS, dnsZonesFrom, DnsPublisher } from './control/services/dns.ts';
import { parseDnsListen, rrlConfigSchema, startDnsServer } from './dns/index.ts';
import type { PurgeSelector } from './state/cache-store.ts';
import { SqliteAuditLog } from './state/sqlite/audit-log.ts';
import { AuditedRouter, CheckpointLog, loadOrCreateAuditKey } from './control/services/audit.ts';
import { LegalService } from './control/services/legal.ts';
import { registerLegalRoutes } from './control/api/routes/legal.ts';
import { AbuseService, abuseDirectory } from './control/services/abuse.ts';
import { registerAbuseRoutes } from './control/api/routes/abuse.ts';
import { createAbuseHandler, answerAbuseIpc } from './edge/abuse/index.ts';
import { SqliteAbuseReportStore } from './state/sqlite/abuse-report-store.ts';
import { PostgresAbuseReportStore } from './state/postgres/abuse-report-store.ts';
import { registerAuditRoutes } from './control/api/routes/audit.ts';
import { AcmeService, registerAcmeRoutes } from './control/services/acme.ts';
import { systemClock } from './lib/clock.ts';

import { addr, adminTokenFor, canListen, edgeAddresses, installFaultHandlers } from './node-support.ts';

export const VERSION = '0.1.0';

export interface NodeOptions {
  http?: string | null;
  https?: string | null;
  admin?: string | null;
  data?: string;
  config?: string;
  /** 0 = everything in this process (tests); N = N edge worker processes. */
  workers?: number;
  adminToken?: string;
  logLevel?: string;
  accessLog?: string;
  /** Authoritative DNS listener (UDP and TCP), e.g. 0.0.0.0:53; 'off' for none. Default 0.0.0.0:5353. */
  dns?: string | null;
  /** Print the startup banner (the CLI does; tests don't). */
  banner?: boolean;
  /** What this node runs: 'all' (default), 'edge' (proxy + DNS, no admin writes) or 'control' (admin API only). */
  role?: 'all' | 'edge' | 'control';
  /** Fleet mode: shared counters, keys, reputation and events in Redis. */
  redis?: string;
  /** Fleet mode: configuration, audit log and security events in PostgreSQL. */
  postgres?: string;
}

export interface NodeHandle {
  readonly httpPort: number | undefined;
  readonly httpsPort: number | undefined;
  readonly adminPort: number;
  readonly dnsPort: number | undefined;
  readonly adminToken: string;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Every admin API route (method, path, auth), for the authorisation test. */
  readonly routes: ReadonlyArray<{ method: string; path: string; auth: 'token' | 'none' }>;
  /** Resolves once every worker serves config `version` (or newer). */
  waitForVersion(version: number, timeoutMs?: number): Promise<void>;
  reload(): Promise<Record<string, unknown>>;
  restartWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<NodeHandle> {
  enableSafeRegex();
  installFaultHandlers();
  let file: ConfigFile | undefined = o.config ? loadConfigFile(o.config) : undefined;
  const sv = file?.server;
  const dataDir = resolve(o.data ?? sv?.data ?? '.rampart');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logger = createLogger({ level: o.logLevel ?? sv?.log.level ?? 'info' });
  // GeoIP databases from the config file (the environment wins); read by every edge process on first use
  if (sv?.geoip?.country_db) process.env['RAMPART_GEOIP_COUNTRY'] ??= sv.geoip.country_db;
  if (sv?.geoip?.asn_db) process.env['RAMPART_GEOIP_ASN'] ??= sv.geoip.asn_db;
  const role = o.role ?? sv?.role ?? 'all';
  const redisUrl = o.redis ?? sv?.redis ?? (process.env['RAMPART_REDIS_URL'] || undefined);
  const pgUrl = o.postgres ?? sv?.postgres ?? (process.env['RAMPART_POSTGRES_URL'] || undefined);
  if (role !== 'all' && pgUrl === undefined) throw new Error(`--role ${role} needs --postgres URL: the nodes of a fleet share their configuration there`);
  const edgeOn = role !== 'control';
  const controlOn = role !== 'edge';
  const httpA = edgeOn ? addr(o.http, sv?.http ?? '0.0.0.0:8080') : undefined;
  let httpsA: { host: string; port: number; optional?: boolean } | undefined = edgeOn ? addr(o.https, sv?.https ?? '0.0.0.0:8443') : undefined;
  // the default HTTPS listener is best-effort (like the default DNS one): a second node on one machine that was
  // not given --https still starts, without HTTPS, and says so; an address asked for explicitly must work
  if (httpsA && o.https === undefined && sv?.https === undefined) {
    if (await canListen(httpsA.host, httpsA.port)) httpsA = { ...httpsA, optional: true }; // a node starting at the same time may still take it
    else {
      logger.warn({ address: `${httpsA.host}:${httpsA.port}` }, 'the default HTTPS address is in use by another process; HTTPS is off on this node (pass --https ADDR:PORT)');
      httpsA = undefined;
    }
  }
  const adminA = addr(o.admin, sv?.admin ?? '127.0.0.1:9090');
  if (!adminA) throw new Error('the admin listener cannot be turned off');
  const workers = o.workers ?? sv?.workers ?? availableParallelism();
  let limits: Limits = sv?.limits ?? LimitsSchema.parse({});
  const accessTarget = o.accessLog ?? (sv?.log.access === undefined || sv.log.access === 'file' ? join(dataDir, 'logs', 'access.log') : sv.log.access);
  const { token, source: tokenSource } = adminTokenFor(dataDir, o.adminToken ?? process.env['RAMPART_ADMIN_TOKEN']);
  const nodeId = `${hostname()}-${randomBytes(3).toString('hex')}`;

  // fleet mode: the configuration, audit log and security events live in PostgreSQL, shared by every node
  const pg = pgUrl ? await createPostgresStores({ url: pgUrl }) : undefined;
  const store = pg?.config ?? new SqliteConfigStore(join(dataDir, 'config.db'));
  // the store holds private keys and the events hold client addresses: owner-only, whatever the umask
  for (const f of ['config.db', 'config.db-wal', 'config.db-shm']) { try { chmodSync(join(dataDir, f), 0o600); } catch { /* not created yet */ } }
  try { chmodSync(dataDir, 0o700); } catch { /* not ours to change */ }
  // edge side: in-process EdgeServer or cluster workers
  let edge: EdgeServer | undefined;
  const live = new Map<number, { worker: Worker; version: number; ready: boolean }>();
  let lastDocs: { version: number; docs: ConfigDoc[] } = { version: 0, docs: [] };
  const versionWaiters = new Set<() => void>();
  const notifyVersion = (): void => { for (const w of [...versionWaiters]) w(); };
  let healthChecker: HealthChecker | undefined;

  // a zone's own secondaries (settings.secondaries): NOTIFY on every change, and they may transfer the zone
  let secondariesByZone = new Map<string, string[]>();
  const hostOf = (t: string): string => (t.startsWith('[') ? t.slice(1, t.indexOf(']')) : t.includes('.') ? t.split(':')[0]! : t);
  const dnsPublisher = new DnsPublisher({ edgeIPv4: edgeAddresses(file?.edge).v4, edgeIPv6: edgeAddresses(file?.edge).v6, logger, secondaries: (z) => secondariesByZone.get(z.toLowerCase().replace(/\.$/, '')) ?? [] });
  const nameservers = (process.env['RAMPART_NAMESERVERS'] ?? 'ns1.rampart.local,ns2.rampart.local').split(',').map((x) => x.trim()).filter(Boolean);
  const push = (version: number, docs: ConfigDoc[]): void => {
    lastDocs = { version, docs };
    secondariesByZone = new Map(docs.filter((d) => d.kind === 'zone').map((d) => [(d.data as { name: string }).name, ((d.data as { settings?: { secondaries?: string[] } }).settings?.secondaries ?? [])]));
    try { dnsPublisher.publish(dnsZonesFrom(docs, { nameservers })); } catch (e) { logger.error({ err: (e as Error).message }, 'DNS data not published; the previous answers stay'); }
    const snap = buildSnapshot(version, docs, (d, why) => logger.warn({ kind: d.kind, id: d.id, why }, 'stored document skipped'));
    healthChecker?.update(snap.zones.values());
    if (edge) { edge.apply(snap); notifyVersion(); }
    for (const w of live.values()) w.worker.send({ t: 'snapshot', version, docs } satisfies ToWorker);
  };
  const publisher = new Publisher(store, push);
  // a write through the API answers once every worker serves it (read-your-writes), or after 2 s at most
  const publish = async (): Promise<void> => {
    await publisher.publish();
    if (live.size > 0) await waitForVersion(publisher.lastVersion, 2000).catch((e: Error) => logger.warn({ err: e.message }, 'workers slow to apply config'));
  };
  const certs = new CertService(store, publish, (h) => selfSignedCertificate(h));
  const defaultDoc = await certs.ensure('default', 'default-cert');
  const defaultCert: PemPair = { cert: defaultDoc.cert, key: defaultDoc.key };
  const zones = new ZoneService(store, publish);
  zones.onboarding = { reviewRps: Number(process.env['RAMPART_REVIEW_RPS'] ?? 5000), perCoreRps: Number(process.env['RAMPART_PER_CORE_RPS'] ?? 3000) };
  // abuse reports: recorded here, forwarded by email; the edge's public form reports to this service
  const abuseStore = pg ? new PostgresAbuseReportStore({ db: pg.db }) : new SqliteAbuseReportStore({ path: join(dataDir, 'abuse.db') });
  const abuse = new AbuseService({ store: abuseStore, directory: abuseDirectory(zones, new AccountService(store, zones)), smtpUrl: process.env['RAMPART_SMTP_URL'], from: process.env['RAMPART_ABUSE_FROM'],
    onError: (e, ticket) => logger.warn({ ticket, err: (e as Error).message }, 'abuse report: forwarding problem') });
  const zoneNameOf = (id: string): string => lastDocs.docs.find((d) => d.kind === 'zone' && d.id === id)?.name ?? id;
  const webhooks = new WebhookService({ store, publish, logFile: join(dataDir, 'webhook-deliveries.jsonl'), nodeId, onError: (e) => logger.warn({ err: (e as Error).message }, 'webhook delivery problem') });
  NAMESERVERS.list = nameservers;
  // onboarding: zones added through the API are pending until the registry delegates them to our nameservers
  const activation = new ActivationService({
    zones, nameservers, resolver: parseResolver(process.env['RAMPART_ACTIVATION_RESOLVER']),
    pendingMs: Number(process.env['RAMPART_ACTIVATION_PENDING_S'] ?? 60) * 1000, activeMs: Number(process.env['RAMPART_ACTIVATION_ACTIVE_S'] ?? 3600) * 1000,
    onChange: (z, from, to) => { logger.info({ zone: z.name, from, to }, 'zone activation changed'); if (to === 'active') webhooks.emit('zone.activated', { from }, z.name); },
    onError: (zone, e) => logger.debug({ zone, err: (e as Error).message }, 'activation check failed'),
  });
  if (edgeOn) healthChecker = new HealthChecker((r) => {
    webhooks.emit(r.up ? 'origin.up' : 'origin.down', { origin: r.originKey, detail: r.detail }, zoneNameOf(r.zoneId));
    logger.warn({ zone: r.zoneId, origin: r.originKey, up: r.up, detail: r.detail }, r.up ? 'origin healthy again' : 'origin marked down by health checks');
    if (edge) edge.health.setActive(r.zoneId, r.originKey, r.up);
    for (const w of live.values()) w.worker.send({ t: 'health', zoneId: r.zoneId, originKey: r.originKey, up: r.up } satisfies ToWorker);
  });

  /** The config file's DNS records of its zones replace what those zones had (all of a zone's records or none). */
  const syncFileRecords = async (f: ConfigFile): Promise<void> => {
    for (const [i, fz] of f.zones.entries()) {
      if (fz.dns_records === undefined) continue;
      const z = await zones.get(fz.name);
      const svc = new ZoneResourceService(DNS_RECORDS, store, zones, publish);
      const have = await store.list(DNS_RECORDS.kind, z.id);
      if (have.length) await store.apply(have.map((d) => ({ op: 'delete' as const, kind: d.kind, id: d.id })));
      try {
        if (fz.dns_records.length) await svc.create(z.id, fz.dns_records.map((r) => ({ ...r })));
        else await publish();
      } catch (e) {
        // refused: the zone keeps the records it had
        if (have.length) await store.apply(have.map((d) => ({ op: 'put' as const, doc: { kind: d.kind, id: d.id, zoneId: d.zoneId, name: d.name, data: d.data } })));
        throw new Error(`${o.config ?? 'config'}: zones[${i}].dns_records (${fz.name}): ${(e as Error).message.replace(/body\[(\d+)\]/g, '[$1]')}`);
      }
    }
  };
  if (file && controlOn) { await zones.syncFromFile(file.zones); await syncFileRecords(file); }

  let httpPort: number | undefined;
  let httpsPort: number | undefined;
  // a control-only node has no edge: it counts as in-process (its own metrics registry, nothing to fork)
  const inProcess = workers === 0 || !edgeOn;
  // the cache: memory in front of a disk tier in the data folder (server.cache); each edge process its own slot
  const cacheCfg = sv?.cache ?? { memory_mb: 256, disk_mb: 1024 };
  const cacheOpts = {
    cacheDir: cacheCfg.path !== undefined ? resolve(cacheCfg.path) : join(dataDir, 'cache'),
    cacheMemoryBytes: cacheCfg.memory_mb * 1048576,
    cacheDiskBytes: Math.floor(cacheCfg.disk_mb * 1048576 / Math.max(1, inProcess ? 1 : workers)),
  };
  const metricsRegistry = inProcess ? new promClient.Registry() : new promClient.AggregatorRegistry();
  // workers listen on the configured address as is (port 0 too): node:cluster shares one handle per address key
  // with worker processes (even one) the state is in state.db, so that the control plane sees what the edge
  // shares (reputation, automatic-mitigation rules); in one process it is memory
  const stateOpt: StateSpec = redisUrl ? { kind: 'redis', url: redisUrl } : workers >= 1 && edgeOn ? { kind: 'sqlite', path: join(dataDir, 'state.db') } : { kind: 'memory' };
  const eventsPath = join(dataDir, 'events.db');
  const eventsOpt: WorkerInit['events'] = pgUrl ? { kind: 'postgres', url: pgUrl } : { kind: 'sqlite', path: eventsPath };
  const eventStore = pg?.events ?? new SqliteSecurityEventStore(eventsPath);
  // analytics: opened here first (creates the file before the workers open it), rolled up and pruned by the control plane
  const analyticsPath = join(dataDir, 'analytics.db');
  const analyticsStore = pg?.analytics ?? new SqliteAnalyticsStore({ path: analyticsPath });
  let aggregator: AnalyticsAggregator | undefined;
  const init = (): WorkerInit => ({ cache: cacheOpts, state: stateOpt, events: eventsOpt, analyticsPath, http: httpA, https: httpsA, limits, accessLog: accessTarget, logLevel: o.logLevel ?? sv?.log.level ?? 'info', nodeId, defaultCert });
  const onRemoteChange = (up: boolean, e?: unknown): void => {
    if (up) logger.warn({ store: 'redis' }, 'shared state reachable again: counting fleet-wide');
    else logger.error({ store: 'redis', err: (e as Error | undefined)?.message }, 'shared state unreachable: rate limits count per node and keys stay local until it returns (fail-open)');
  };

  let localState: SharedState | undefined;
  /** The primary's own handle on the shared state, for the reputation API, when it has no other. */
  let reputationState: SharedState | undefined;
  let mitigationEvents: MitigationEvents | undefined;
  /** The primary's link to the fleet's event bus (purge, hello); its own connection, not the workers'. */
  let busState: SharedState | undefined;
  let phaseSet: Awaited<ReturnType<typeof createRequestPhases>> | undefined;
  let purgeSeq = 0;
  const purgeWaiters = new Map<number, { left: number; removed: number; errors: string[]; done: () => void }>();
  /** Purge every worker's cache (in-process: this one); resolves with the number of entries removed. */
  const purge = async (selector: PurgeSelector): Promise<number> => {
    if (phaseSet) return phaseSet.purge(selector);
    if (!edgeOn) return 0;
    const id = ++purgeSeq;
    const workersNow = [...live.values()];
    if (workersNow.length === 0) return 0;
    const w = { left: workersNow.length, removed: 0, errors: [] as string[], done: () => {} };
    const finished = new Promise<void>((r) => { w.done = r; });
    purgeWaiters.set(id, w);
    for (const x of workersNow) x.worker.send({ t: 'purge', id, selector } satisfies ToWorker);
    await Promise.race([finished, new Promise((r) => setTimeout(r, 5000).unref())]);
    purgeWaiters.delete(id);
    if (w.errors.length) throw new Error(`purge failed in a worker: ${w.errors[0]}`);
    return w.removed;
  };
  if (!edgeOn) {
    await publish();
  } else if (inProcess) {
    const metrics = createEdgeMetrics(metricsRegistry as unknown as Parameters<typeof createEdgeMetrics>[0]);
    localState = openState(stateOpt, { onRemoteChange, onFallback: () => metrics.stateFailures.labels('shared_state').inc() });
    edge = new EdgeServer({
      requestPhases: (phaseSet = await createRequestPhases(localState, logger, metrics, cacheOpts)).phases,
      admission: { onAbuse: (ip, kind) => phaseSet?.reportAbuse(ip, kind) },
      events: new SecurityEventRecorder(eventStore, (n) => metrics.stateFailures.labels('security_events').inc(n)),
      logHooks: [createAnalyticsLogPhase(aggregator = new AnalyticsAggregator({ store: analyticsStore, onError: () => metrics.stateFailures.labels('analytics').inc() }))],
      http: httpA, https: httpsA, limits, logger, accessLog: createAccessLog(accessTarget), metrics,
      nodeId, defaultCert, certSource: (h) => certs.ensure(h),
      abuse: createAbuseHandler({ sink: abuse, counters: localState.counters, onError: (e) => logger.warn({ err: (e as Error).message }, 'abuse form problem') }),
    });
    await publish();
    if (edge.snapshot.version !== lastDocs.version) edge.apply(buildSnapshot(lastDocs.version, lastDocs.docs));
    const p = await edge.start();
    httpPort = p.httpPort; httpsPort = p.httpsPort;
  } else {
    // An old-space limit bounds a worker's memory (server.worker_heap_mb); it is opt-in because V8 then runs full
    // collections far more often under external-memory pressure (large bodies): measured -35% req/s at 100 KiB.
    const heapMb = sv?.worker_heap_mb;
    const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), ...(heapMb !== undefined ? [`--max-old-space-size=${heapMb}`] : [])];
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./edge/worker.ts', import.meta.url)), serialization: 'advanced', execArgv });
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    await publish();
  }

  const fork = (): Promise<Worker> => new Promise((resolveFork, rejectFork) => {
    const w = cluster.fork({ RAMPART_WORKER: '1' });
    const entry = { worker: w, version: 0, ready: false };
    w.on('message', (m: FromWorker) => {
      if (m.t === 'ready') {
        entry.ready = true;
        httpPort ??= m.httpPort; httpsPort ??= m.httpsPort;
        live.set(w.id, entry);
        resolveFork(w);
      } else if (m.t === 'applied') { entry.version = m.version; notifyVersion(); }
      else if (m.t === 'purged') {
        const pw = purgeWaiters.get(m.id);
        if (pw) { pw.removed += m.removed; if (m.error) pw.errors.push(m.error); if (--pw.left === 0) pw.done(); }
      } else if (m.t === 'abuse') { // the abuse form of a worker
        answerAbuseIpc(m, abuse, (r) => w.send(r satisfies ToWorker), (e) => logger.warn({ err: (e as Error).message }, 'abuse report service problem'));
      } else if (m.t === 'cert') {
        certs.ensure(m.host).then((pem) => w.send({ t: 'cert', id: m.id, pem } satisfies ToWorker), (e: Error) => w.send({ t: 'cert', id: m.id, error: e.message } satisfies ToWorker));
      }
    });
    w.once('exit', (code, signal) => {
      const was = live.get(w.id);
      live.delete(w.id);
      if (!entry.ready) { rejectFork(new Error(`worker exited during start (code ${code ?? signal})`)); return; }
      if (!closing && !retiring.has(w.id) && was) {
        logger.error({ worker: w.id, code, signal }, 'edge worker died; starting a new one');
        void fork().catch((e: Error) => logger.error({ err: e.message }, 'could not restart a worker'));
      }
    });
    w.send({ t: 'init', init: init() } satisfies ToWorker);
    w.send({ t: 'snapshot', ...lastDocs } satisfies ToWorker);
  });

  let closing = false;
  const retiring = new Set<number>();
  if (!inProcess) {
    // the first worker binds (port 0 resolves to a real port), the rest share it
    await fork();
    await Promise.all(Array.from({ length: workers - 1 }, () => fork()));
  }

  // fleet: pull the configuration when the store announces a new version (and on reconnect, and every 5 s as a
  // backstop); talk to the other nodes over the shared bus (purges, who is alive)
  const pull = (): void => {
    publish().catch((e: Error) => logger.warn({ err: e.message }, 'configuration not pulled; serving the last snapshot'));
  };
  const watcher = pg && edgeOn ? watchConfig({
    url: pgUrl!,
    onVersion: (v) => { if (v > publisher.lastVersion) pull(); },
    onReconnect: () => { logger.info('configuration database reachable again; pulling'); pull(); },
    onError: (e) => logger.warn({ err: (e as Error).message }, 'configuration notifications interrupted; retrying'),
  }) : undefined;
  const backstop = pg && edgeOn ? setInterval(() => {
    store.version().then((v) => { if (v > publisher.lastVersion) pull(); }, () => { /* unreachable: the watcher reports it */ });
  }, 5000) : undefined;
  backstop?.unref();
  if (watcher) pull(); // whatever changed between the first publish and the watcher's LISTEN
  let fleet: FleetBus | undefined;
  if (redisUrl) {
    busState = stateOpt.kind === 'redis' && localState ? localState : openState({ kind: 'redis', url: redisUrl }, { onRemoteChange });
    fleet = await FleetBus.start({
      bus: busState.events, nodeId, role,
      ...(edgeOn ? { purgeLocal: purge } : {}),
      describe: () => ({ version: publisher.lastVersion, http: httpA ? `${httpA.host}:${httpPort}` : null }),
      onError: (what, e) => logger.warn({ what, err: (e as Error).message }, 'fleet bus problem'),
    }).catch((e: Error) => { logger.error({ err: e.message }, 'fleet bus unavailable: purges reach this node only'); return undefined; });
  }
  const fleetPurge = async (sel: PurgeSelector): Promise<number> => {
    if (!fleet) return purge(sel);
    const r = await fleet.purge(sel);
    if (r.missing.length || r.errors.length) logger.warn({ missing: r.missing, errors: r.errors }, 'purge not confirmed by every node');
    return r.removed;
  };

  function waitForVersion(version: number, timeoutMs = 5000): Promise<void> {
    return new Promise((res, rej) => {
    const check = (): boolean => {
      const ok = inProcess ? (edge?.snapshot.version ?? 0) >= version : [...live.values()].every((w) => w.version >= version);
      if (ok) { versionWaiters.delete(done); clearTimeout(t); res(); }
      return ok;
    };
    const done = (): void => { check(); };
    const t = setTimeout(() => { versionWaiters.delete(done); rej(new Error(`config version ${version} not applied within ${timeoutMs} ms`)); }, timeoutMs);
    versionWaiters.add(done);
    check();
    });
  }

  /** Rolling restart: a new worker is serving before an old one stops taking connections and drains. */
  const restartWorkers = async (): Promise<void> => {
    if (inProcess) return;
    for (const old of [...live.values()]) {
      await fork();
      retiring.add(old.worker.id);
      old.worker.send({ t: 'shutdown' } satisfies ToWorker);
      await new Promise<void>((r) => { old.worker.once('exit', () => r()); setTimeout(r, 35_000).unref(); });
      retiring.delete(old.worker.id);
    }
  };

  const reload = async (): Promise<Record<string, unknown>> => {
    if (!o.config) return { reloaded: false, reason: 'no config file (--config) was given' };
    file = loadConfigFile(o.config);
    const changes = await zones.syncFromFile(file.zones);
    await syncFileRecords(file);
    let restarted = false;
    if (JSON.stringify(file.server.limits) !== JSON.stringify(limits)) {
      limits = file.server.limits;
      await restartWorkers();
      restarted = true;
    }
    logger.info({ ...changes, restarted }, 'config file reloaded');
    return { reloaded: true, ...changes, workers_restarted: restarted, config_version: publisher.lastVersion };
  };

  const auditLog = pg?.audit ?? new SqliteAuditLog(join(dataDir, 'audit.db'));
  const router: Router = new AuditedRouter(auditLog, (e) => logger.error({ err: (e as Error).message }, 'audit log append failed'));
  const accounts = new AccountService(store, zones);
  const sessions = new SessionService(store, accounts);
  // periodic signed checkpoints of the audit chain's head (RAMPART_AUDIT_CHECKPOINT_S, default hourly)
  const auditKey = loadOrCreateAuditKey(dataDir);
  const checkpoints = new CheckpointLog(join(dataDir, 'audit-checkpoints.jsonl'));
  const checkpointNow = async (): Promise<void> => {
    const n = await auditLog.count();
    const last = n === 0 ? undefined : (await auditLog.list(n - 1, 1))[0];
    if (last) checkpoints.add(auditKey.privateKey, { seq: last.seq, hash: last.hash }, new Date().toISOString());
  };
  // security events are kept RAMPART_EVENTS_RETENTION_DAYS (30) days, pruned hourly by the control plane
  const retentionDays = Math.max(1, Number(process.env['RAMPART_EVENTS_RETENTION_DAYS'] ?? 30));
  const pruneEvents = (): void => { eventStore.prune(Date.now() - retentionDays * 86_400_000).then((n) => { if (n) logger.info({ removed: n, retention_days: retentionDays }, 'security events pruned'); }, (e: Error) => logger.warn({ err: e.message }, 'security events not pruned')); };
  const pruneTimer = controlOn ? setInterval(pruneEvents, 3_600_000) : undefined;
  pruneTimer?.unref();
  if (controlOn) setTimeout(pruneEvents, 10_000).unref();
  const checkpointTimer = controlOn ? setInterval(() => { checkpointNow().catch((e: Error) => logger.warn({ err: e.message }, 'audit checkpoint failed')); },
    Math.max(1, Number(process.env['RAMPART_AUDIT_CHECKPOINT_S'] ?? 3600)) * 1000) : undefined;
  checkpointTimer?.unref();
  // automatic certificates (ACME): on when a directory is configured; renewal pass at start and hourly
  // config keys acme.directory / acme.ca_bundle / acme.challenge; the environment overrides them
  const acmeDirectory = process.env['RAMPART_ACME_DIRECTORY'] || file?.acme?.directory;
  const acmeChallenge = process.env['RAMPART_ACME_CHALLENGE'] || file?.acme?.challenge;
  const acmeService = acmeDirectory && controlOn ? new AcmeService({ store, publish, clock: systemClock, directory: acmeDirectory, caBundle: process.env['RAMPART_ACME_CA_BUNDLE'] || file?.acme?.ca_bundle,
    // unset: chosen per zone (DNS-01 once the zone is delegated to us, HTTP-01 before; wildcards DNS-01)
    challenge: acmeChallenge === 'http-01' || acmeChallenge === 'dns-01' ? acmeChallenge : undefined,
    log: (msg, f) => logger.info(f, msg) }) : undefined;
  // the public transparency page (current half-year), rendered here and served by every edge from its snapshot
  // every legal change (order recorded or lifted, data request) also refreshes the page
  const legal = new LegalService(store, zones, async () => { await publish(); refreshTransparency(); }, join(dataDir, 'legal-documents'));
  legal.abuseReports = abuseStore;
  const refreshTransparency = (): void => {
    if (!controlOn) return;
    const now = new Date();
    void (async () => {
      const report = await legal.report(`${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`);
      await checkpointNow();
      const html = renderTransparencyPage({ ...report, audit_chain_head: checkpoints.list().at(-1) ?? null }, process.env['RAMPART_OPERATOR_NAME'] ?? 'This Rampart operator');
      await publishTransparencyPage(store, html, publish);
    })().catch((e: Error) => logger.warn({ err: e.message }, 'transparency page not refreshed'));
  };
  const transparencyTimer = controlOn ? setInterval(refreshTransparency, Math.max(5, Number(process.env['RAMPART_TRANSPARENCY_REFRESH_S'] ?? 300)) * 1000) : undefined;
  transparencyTimer?.unref();
  // an edge-only node answers health, metrics and status; every change goes through a control plane
  if (controlOn) {
    registerLegalRoutes(router, legal,
      (o) => webhooks.emit('legal.order_recorded', { order: o.id, court: o.court, case: o.case, date: o.date, jurisdiction: o.jurisdiction }, o.zone),
      async (endMs) => {
        // the report quotes the chain head signed at the end of its period (now, for a period still running)
        if (endMs > Date.now()) { await checkpointNow(); return checkpoints.list().at(-1) ?? null; }
        return checkpoints.before(endMs) ?? null;
      });
    registerWebhookRoutes(router, webhooks);
    registerAbuseRoutes(router, abuse);
    registerAuditRoutes(router, auditLog, auditKey, undefined, checkpoints);
    // sign-up scan: the records a zone has today, imported when it is added (RAMPART_SCAN_RESOLVER=host:port|system,
    // or {"scan": true} in the request; off by default: it sends ~60 queries)
    const scanEnv = process.env['RAMPART_SCAN_RESOLVER'];
    const dnsRecords = new ZoneResourceService(DNS_RECORDS, store, zones, publish);
    registerZoneRoutes(router, zones, async (z, body) => {
      const want = body['scan'] === true || (body['scan'] !== false && scanEnv !== undefined && scanEnv !== '');
      if (!want || z.source !== 'api') return {};
      const server = parseResolver(scanEnv === 'system' ? undefined : scanEnv);
      if (server === undefined) return { dns_scan: { imported: 0, error: 'no resolver to scan with (RAMPART_SCAN_RESOLVER)' } };
      const found = await scanRecords(z.name, server).catch(() => []);
      let imported = 0;
      for (const rec of found) { try { await dnsRecords.create(z.id, rec); imported++; } catch { /* a record the API refuses is skipped */ } }
      return { dns_scan: { found: found.length, imported } };
    });
    registerOnboardingRoutes(router, activation, new ReviewService(zones));
    registerAccountRoutes(router, accounts);
    registerSessionRoutes(router, sessions, accounts);
    registerDashboardRoutes(router);
    registerAcmeRoutes(router, () => acmeService);
    registerSecurityRoutes(router, zones, eventStore);
    registerAnalyticsRoutes(router, zones, analyticsStore);
    // the shared reputation: readable here when it is shared (Redis, or state.db with several workers); with one
    // in-memory worker the scores live in that worker only
    const sharedKv = (localState ?? busState ?? (reputationState ??= openState(stateOpt, {}))).kv;
    registerReputationRoutes(router, createReputationReader(sharedKv, systemClock));
    registerAutoMitigationRoutes(router, zones, sharedKv);
    // webhooks for automatic mitigation (attack detected, rule applied, rule ended), read from the shared rules
    mitigationEvents = new MitigationEvents({ kv: sharedKv, emit: (e, d, z) => webhooks.emit(e, d, z), zoneName: zoneNameOf, onError: (e) => logger.debug({ err: (e as Error).message }, 'automatic-mitigation events not read') });
    mitigationEvents.start();
    registerCacheRoutes(router, zones, fleetPurge);
    registerDnsRoutes(router, new ZoneResourceService(DNS_RECORDS, store, zones, publish), zones, () => dnsPublisher.getSnapshot(), nameservers);
    // rules that name lists ($office_ips) are checked against the account's lists
    registerResourceRoutes(router, '/client/v4/zones/:id/firewall/rules', new ListAwareResourceService(FIREWALL_RULES, store, zones, publish));
    registerResourceRoutes(router, '/client/v4/zones/:id/rate_limits', new ListAwareResourceService(RATE_LIMIT_RULES, store, zones, publish));
    registerListRoutes(router, new ListService(store, accounts, publish));
    registerAccountRuleRoutes(router, new AccountRuleService(store, accounts, publish));
    registerAccountRuleRoutes(router, new AccountAccessRuleService(store, accounts, publish), '/client/v4/accounts/:account_id/firewall/access_rules/rules');
    registerResourceRoutes(router, '/client/v4/zones/:id/firewall/access_rules/rules', new ZoneResourceService(ACCESS_RULES, store, zones, publish));
    registerCacheRuleRoutes(router, new ZoneResourceService(CACHE_RULES, store, zones, publish));
  }
  registerSystemRoutes(router, {
    ready: () => publisher.lastVersion >= 0 && (inProcess || live.size > 0),
    metrics: async () => {
      if (inProcess) return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
      return { contentType: metricsRegistry.contentType, body: await (metricsRegistry as InstanceType<typeof promClient.AggregatorRegistry>).clusterMetrics() };
    },
    status: async () => ({
      version: VERSION, node: nodeId, pid: process.pid, uptime_s: Math.round(process.uptime()),
      listeners: { http: httpA ? `${httpA.host}:${httpPort}` : null, https: httpsA && httpsPort !== undefined ? `${httpsA.host}:${httpsPort}` : null, admin: `${adminA.host}:${adminPort}` },
      data: dataDir, config_file: o.config ?? null,
      config_version: publisher.lastVersion,
      workers: inProcess ? [{ id: 0, pid: process.pid, config_version: edge?.snapshot.version ?? 0 }] : [...live.values()].map((w) => ({ id: w.worker.id, pid: w.worker.process.pid, config_version: w.version })),
      zones: (await store.list('zone')).length,
      origin_health: healthChecker?.states() ?? [],
      role,
      state: { config: pg ? 'postgres' : 'sqlite', shared: stateOpt.kind, shared_reachable: localState?.remoteUp() ?? busState?.remoteUp() ?? true },
      ...(fleet ? { fleet: fleet.nodes() } : {}),
    }),
    reload,
  });
  const admin = new AdminServer({
    token, logger, router,
    verifyToken: (secret, ip) => accounts.verify(secret, ip),
    session: (sid) => (controlOn ? sessions.session(sid) : undefined),
    zoneOf: async (ref) => { try { const z = await zones.get(ref); return { id: z.id, account: z.account }; } catch { return undefined; } },
  });
  const adminPort = await admin.listen(adminA.host, adminA.port);
  const dnsA = !edgeOn || o.dns === null || o.dns === 'off' ? undefined : parseDnsListen(o.dns ?? '0.0.0.0:5353');
  let dnsServer: Awaited<ReturnType<typeof startDnsServer>> | undefined;
  if (dnsA) {
    try {
      // response rate limiting per client prefix (RAMPART_DNS_RRL_RPS, default 100 answers/s; "off" for benchmarks
      // from one address: never on a public listener)
      const rrlRps = process.env['RAMPART_DNS_RRL_RPS'] ?? '100';
      const rrl = rrlRps === 'off' ? undefined : rrlConfigSchema.parse({ responsesPerSecond: Number(rrlRps), nxdomainsPerSecond: Math.max(1, Math.round(Number(rrlRps) / 5)), window: 15, slip: 2 });
      dnsServer = await startDnsServer({ host: dnsA.host, port: dnsA.port, getSnapshot: dnsPublisher.getSnapshot, logger, ...(rrl ? { rrl } : {}),
        axfrAllow: (process.env['RAMPART_DNS_AXFR_ALLOW'] ?? '').split(',').map((x) => x.trim()).filter(Boolean),
        axfrAllowedFor: (zone, ip) => (secondariesByZone.get(zone) ?? []).some((t) => hostOf(t) === ip.replace(/^::ffff:/, '')) });
    } catch (e) {
      if (o.dns !== undefined) throw e;
      logger.warn({ err: (e as Error).message }, 'the default DNS listener (0.0.0.0:5353) could not start; pass --dns ADDR:PORT');
    }
  }

  if (o.banner) {
    const lines = [
      `Rampart ${VERSION} (node ${nodeId}) started, ${inProcess ? 'in one process' : `${workers} edge worker${workers === 1 ? '' : 's'}`}`,
      `  proxy  http   ${httpA ? `${httpA.host}:${httpPort}` : 'off'}`,
      `  proxy  https  ${httpsA && httpsPort !== undefined ? `${httpsA.host}:${httpsPort} (TLS by SNI, HTTP/2)` : httpsA ? `off (${httpsA.host}:${httpsA.port} is in use; pass --https ADDR:PORT)` : 'off'}`,
      `  admin  http://${adminA.host}:${adminPort}  (API /client/v4, /metrics, /healthz)`,
      `  dns    ${dnsServer ? `${dnsServer.host}:${dnsServer.udpPort} (UDP+TCP, authoritative; proxied records answer ${edgeAddresses(file?.edge).v4.join(', ')})` : 'off'}`,
      `  data   ${dataDir}`,
      ...(role !== 'all' || pgUrl || redisUrl ? [`  fleet  role ${role}; config ${pgUrl ? redactUrl(pgUrl) : 'local SQLite'}; shared state ${redisUrl ? redactUrl(redisUrl) : 'local'}`] : []),
      tokenSource === 'env' ? '  admin token: taken from RAMPART_ADMIN_TOKEN' : `  admin token: ${token}   (stored in ${join(dataDir, 'admin-token')}, mode 0600)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    healthChecker?.close();
    acmeService?.close();
    webhooks.close();
    clearInterval(checkpointTimer);
    mitigationEvents?.close();
    clearInterval(pruneTimer);
    activation.close();
    clearInterval(transparencyTimer);
    clearInterval(backstop);
    await watcher?.close();
    await fleet?.close();
    await admin.close();
    await dnsServer?.close();
    if (edge) await edge.close();
    await Promise.all([...live.values()].map((w) => new Promise<void>((r) => {
      w.worker.once('exit', () => r());
      w.worker.send({ t: 'shutdown' } satisfies ToWorker);
      setTimeout(() => { w.worker.kill('SIGKILL'); r(); }, 35_000).unref();
    })));
    await phaseSet?.close();
    analyticsMaintenance?.stop();
    await aggregator?.close().catch(() => {});
    await localState?.close();
    if (busState !== localState) await busState?.close();
    await reputationState?.close();
    await abuse.settled().catch(() => {});
    await abuseStore.close();
    if (pg) { await pg.close(); return; }
    await eventStore.close();
    await analyticsStore.close();
    await auditLog.close();
    await store.close();
  };

  acmeService?.start();
  refreshTransparency();
  if (controlOn) activation.start();
  const analyticsMaintenance = controlOn ? startAnalyticsMaintenance(analyticsStore, { clock: systemClock, onError: (e) => logger.warn({ err: (e as Error).message }, 'analytics rollup failed') }) : undefined;
  const routes = router.routes.map((r) => ({ method: r.method, path: r.path, auth: r.auth }));
  return { httpPort, httpsPort, adminPort, dnsPort: dnsServer?.udpPort, adminToken: token, dataDir, logger, routes, waitForVersion, reload, restartWorkers, close };
}
