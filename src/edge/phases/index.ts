/**
 * The request phases before the origin, built in the fixed order of pipeline/run.ts from their dependencies.
 * docs/lifecycle.md draws them; change both together.
 */
import type { Phase } from '../pipeline/phase.ts';
import type { CounterStore, KeyValueStore } from '../../state/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { EdgeMetrics } from '../../telemetry/metrics.ts';
import { createAccessRulesPhase, withGeo } from './access-rules/index.ts';
import { createLegalPhase, operatorUrlFromEnv } from './legal/index.ts';
import { createFirewallRulesPhase } from './firewall-rules/index.ts';
import { createRateLimitPhase } from './rate-limit/index.ts';
import { createReputationPhase } from './reputation/index.ts';
import { createChallengePhase } from './challenge/index.ts';
import type { ChallengePhase } from './challenge/index.ts';
import { Reputation, SHARED_REPUTATION_OPTIONS } from '../../reputation/index.ts';
import { loadOrCreateKeyRing } from '../../mitigation/index.ts';
import { systemClock, systemRandom } from '../../lib/clock.ts';
import type { Random } from '../../lib/clock.ts';
import type { ChallengeDeps } from '../../mitigation/index.ts';
import { createWafPhase } from './waf/index.ts';
// --- issue 6 (docs/mitigation-auto.md): automatic mitigation, its phase and its per-worker detection tick
import { createAutoMitigationPhase } from './auto-mitigation/index.ts';
import { AutoMitigation, optionsFromEnv } from '../../mitigation/auto/index.ts';
// ---
import { managedRules } from '../../waf/managed/index.ts';
import { createCachePhase, OriginCheck } from './cache/index.ts';
import { createTransformsPhase } from './transforms/index.ts';
import { openEdgeCacheStore } from '../../cache/index.ts';
import type { CacheStore, PurgeSelector } from '../../state/cache-store.ts';
// --- issue 6 (docs/bots-and-origin.md): verified bots, the zone's block page
import { createVerifiedBotsPhase } from './verified-bots/index.ts';
import { withBlockTemplate } from './challenge/block-page.ts';
import { BotVerifier, botDomainsFromEnv, botResolverFromEnv, createBotResolver } from '../../mitigation/bots/index.ts';
import type { BotLookupResult } from '../../mitigation/bots/index.ts';
import { Counter } from 'prom-client';
// ---
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PhaseDeps {
  readonly logger: Logger;
  readonly metrics: EdgeMetrics;
  readonly counters: CounterStore;
  readonly kv: KeyValueStore;
  readonly now: () => number;
  readonly reputation: Reputation;
  readonly challenge: ChallengeDeps;
  readonly crsDir: string | undefined;
  readonly managedRules: string;
  readonly cacheStore: CacheStore;
  /** The cache's conditional requests to origins (revalidation); closed with the phases. */
  readonly originCheck?: OriginCheck;
  /** Keys of email obfuscation (default: the system's random source). */
  readonly random?: Random;
  /** issue 6: verified crawlers (FCrDNS); without it `rampart.verified_bot` stays false. */
  readonly bots?: BotVerifier;
  /** issue 6: automatic mitigation; its phase runs after reputation (and verified-bots) when given. */
  readonly autoMitigation?: AutoMitigation;
}

export interface RequestPhases {
  readonly phases: Phase[];
  readonly challenge: ChallengePhase;
}

export function requestPhases(d: PhaseDeps): RequestPhases {
  let lastComplaint = 0;
  const onError = (zone: string, err: unknown): void => {
    const now = d.now();
    if (now - lastComplaint < 60_000) return; // at most one line a minute: a broken rule must not flood the log
    lastComplaint = now;
    d.logger.error({ zone, err: (err as Error).message }, 'rule evaluation problem (failing open)');
  };
  const challenge = createChallengePhase(d.challenge);
  const block = (p: Phase): Phase => withBlockTemplate(p, d.random ?? systemRandom); // issue 6: the zone's block page
  return {
    challenge,
    phases: [
      // rules-gaps (issue 5): GeoIP country/asn notes are set before the legal phase reads them
      withGeo(createLegalPhase({ now: d.now, operatorUrl: operatorUrlFromEnv(), onError })),
      block(createAccessRulesPhase(onError)),
      createReputationPhase(d.reputation, () => d.metrics.stateFailures.labels('reputation').inc()),
      ...(d.bots !== undefined ? [createVerifiedBotsPhase(d.bots)] : []), // issue 6: before the rules read rampart.verified_bot
      ...(d.autoMitigation !== undefined ? [block(createAutoMitigationPhase({ engine: d.autoMitigation, now: d.now }))] : []), // issue 6: automatic rules
      block(createFirewallRulesPhase(onError)),
      block(createRateLimitPhase({ counters: d.counters, kv: d.kv, now: d.now, onError, onStoreFailure: () => d.metrics.stateFailures.labels('rate_limit').inc() })),
      block(createWafPhase({
        crsDir: d.crsDir, managedRules: d.managedRules,
        onError: (zone, err) => { d.metrics.stateFailures.labels('waf_compile').inc(); d.logger.error({ zone, err: (err as Error).message }, 'WAF ruleset failed to compile; the zone runs without WAF until fixed'); },
        onCompiled: (_k, ms) => d.logger.info({ ms: Math.round(ms) }, 'WAF ruleset compiled'),
      })),
      // hotlink protection, the edge's /.rampart/email-* assets, and the response transforms (applied by origin)
      block(createTransformsPhase({ random: d.random ?? systemRandom, registry: d.metrics.registry })),
      challenge,
      createCachePhase({ store: d.cacheStore, ...(d.originCheck !== undefined ? { originCheck: d.originCheck } : {}), now: d.now, coalesceTimeoutMs: 10_000, onError: (err) => d.logger.warn({ err: (err as Error).message }, 'cache store problem (request served from the origin)') }),
    ],
  };
}

/**
 * What each event adds to a client's threat score at the edge. A single blocked request says little (a false
 * positive, a curious visitor): at `medium` (challenge from 15) a client is challenged after about five WAF blocks
 * within a half-life, and at once after a connection flood or HTTP/2 abuse.
 */
export const EDGE_REPUTATION_WEIGHTS = {
  waf_block: 3, ratelimit: 1, challenge_failed: 10, h2_abuse: 25, firewall_block: 2, protocol_error: 3, conn_flood: 20,
} as const;

/** Build the phases from the node's shared state: the reputation store and the challenge key ring live there. */
// --- cache (issue 7): the edge's cache store options (a number is the old memory-only `cacheBytes`)
export interface RequestPhaseOptions {
  /** Cache folder (`server.cache.path`, default `<data>/cache`); each process takes a free `w<N>` slot in it. */
  readonly cacheDir?: string;
  /** Memory tier in bytes (`server.cache.memory_mb`, default 256 MiB). */
  readonly cacheMemoryBytes?: number;
  /** Disk tier in bytes for this process (`server.cache.disk_mb` / workers, default 1 GiB; 0 = off). */
  readonly cacheDiskBytes?: number;
}
// ---

export async function createRequestPhases(state: { counters: CounterStore; kv: KeyValueStore }, logger: Logger, metrics: EdgeMetrics, options: RequestPhaseOptions | number = {}): Promise<{ phases: RequestPhases; purge(sel: PurgeSelector): Promise<number>; reportAbuse(ip: string, kind: 'conn_flood' | 'h2_abuse'): void; close(): Promise<void> }> {
  const o: RequestPhaseOptions = typeof options === 'number' ? { cacheMemoryBytes: options } : options;
  const opened = await openEdgeCacheStore({ dir: o.cacheDir, memoryBytes: o.cacheMemoryBytes, diskBytes: o.cacheDiskBytes });
  if (opened.diskProblem !== undefined) logger.error({ dir: o.cacheDir, err: opened.diskProblem }, 'disk cache unavailable: caching in memory only');
  const cacheStore = opened.store;
  const originCheck = new OriginCheck(Date.now);
  const reputation = new Reputation({ kv: state.kv, clock: systemClock, weights: EDGE_REPUTATION_WEIGHTS, onError: () => metrics.stateFailures.labels('reputation').inc(), ...SHARED_REPUTATION_OPTIONS /* issue 6: prefix score, event log */ });
  const keyRing = await loadOrCreateKeyRing(state.kv, systemRandom);
  const challenge: ChallengeDeps = {
    keyRing, random: systemRandom, replayStore: state.kv,
    log: (e) => logger.debug({ challenge: e }, 'challenge outcome'),
  };
  const bots = createBotVerifier(state.kv, metrics, logger);
  // issue 6: automatic mitigation: detection on this worker's view every second; rules shared through state.kv
  const amName = 'rampart_auto_mitigation_rules_total';
  const amRules = (metrics.registry.getSingleMetric(amName) as Counter<'action' | 'mode'> | undefined)
    ?? new Counter({ name: amName, help: 'Automatic mitigation rules made by this worker, by action and mode', labelNames: ['action', 'mode'] as const, registers: [metrics.registry] });
  const autoMitigation = new AutoMitigation({
    kv: state.kv, clock: systemClock, options: optionsFromEnv(),
    onError: () => metrics.stateFailures.labels('auto_mitigation').inc(),
    onRule: (r) => { amRules.labels(r.action, r.mode).inc(); logger.warn({ zone: r.zoneId, rule: r.id, action: r.action, mode: r.mode, reason: r.reason }, 'automatic mitigation rule'); },
  });
  const detection = setInterval(() => { autoMitigation.tick().catch(() => metrics.stateFailures.labels('auto_mitigation').inc()); }, 1000);
  detection.unref();
  return {
    phases: requestPhases({ logger, metrics, counters: state.counters, kv: state.kv, now: Date.now, reputation, challenge, crsDir: findCrsDir(), managedRules: managedRules(), cacheStore, bots, autoMitigation }),
    purge: (sel) => cacheStore.purge(sel),
    reportAbuse: (ip, kind) => { reputation.record(ip, kind).catch(() => metrics.stateFailures.labels('reputation').inc()); },
    close: async () => { clearInterval(detection); await reputation.close(); await cacheStore.close(); },
  };
}

/**
 * issue 6: the verified-bot checker of this process: resolver from RAMPART_BOT_RESOLVER (host:port[,…]; default
 * the system's), crawler domains from RAMPART_BOT_DOMAINS (default DEFAULT_CRAWLER_DOMAINS), results shared in the KV.
 */
export function createBotVerifier(kv: KeyValueStore, metrics: EdgeMetrics, logger: Logger, env: NodeJS.ProcessEnv = process.env): BotVerifier {
  const name = 'rampart_verified_bot_lookups_total';
  const lookups = (metrics.registry.getSingleMetric(name) as Counter<'result'> | undefined)
    ?? new Counter({ name, help: 'Forward-confirmed reverse DNS checks of clients claiming to be crawlers, by result', labelNames: ['result'] as const, registers: [metrics.registry] });
  const domains = botDomainsFromEnv(env);
  return new BotVerifier({
    kv, clock: systemClock, resolver: createBotResolver(botResolverFromEnv(env)), ...(domains !== undefined ? { domains } : {}),
    onLookup: (r: BotLookupResult) => lookups.labels(r).inc(),
    onStoreError: (err) => { metrics.stateFailures.labels('verified_bots').inc(); logger.debug({ err: (err as Error).message }, 'verified-bot cache unavailable'); },
  });
}

/**
 * Where the OWASP CRS is: RAMPART_CRS_DIR; else Debian's modsecurity-crs package; else, in a development checkout,
 * the CRS 4.28.0 beside the project (../shared/crs/4.28.0). Undefined when there is none: WAF zones then fail open
 * with a log line that says how to get one.
 */
export function findCrsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env['RAMPART_CRS_DIR'];
  if (fromEnv) return resolve(fromEnv);
  if (existsSync('/usr/share/modsecurity-crs/rules')) return '/usr/share/modsecurity-crs';
  const dev = resolve(fileURLToPath(new URL('../../../../shared/crs/4.28.0', import.meta.url)));
  return existsSync(join(dev, 'rules')) ? dev : undefined;
}
