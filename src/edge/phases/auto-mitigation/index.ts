/**
 * The auto-mitigation phase (right after `reputation`): counts every request into the zone's local baseline
 * (O(1): four heavy-hitter sketch updates) and enforces the zone's automatic rules in force (local memory only;
 * the rules are synced from the shared KeyValueStore every second by `AutoMitigation.tick`).
 *
 * Verdicts: a `challenge` rule → `challenge managed auto.challenge` (ruleId = the rule's id; a valid clearance
 * passes); a `ratelimit` rule past its per-worker rate → `respond 429 auto.ratelimit` with Retry-After: 1; a
 * `security_level` rule → the raised level's decision (`under_attack`: challenge everyone; `high`: threat score
 * ≥ 1) as `challenge managed auto.challenge`. Rules made while the zone is in `log` mode only record
 * `mitigation:ID:log` in `ctx.matched`. Its `onLog` feeds the origin's status and latency to the detector.
 * Skips: zone setting `auto_mitigation: off`, a paused zone, or a client an allow rule lets through (`reputation`
 * in `ctx.skip`: counted, not enforced).
 */
import type { TLSSocket } from 'node:tls';
import { describeFingerprint, fingerprintOf, matches, pathOf, prefixOf, uaOf } from '../../../mitigation/auto/index.ts';
import type { AutoMitigation, AutoRule, Traits } from '../../../mitigation/auto/index.ts';
import { VERIFIED_BOT_NOTE } from '../../../mitigation/bots/index.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';

const TRAITS_NOTE = 'auto.traits';

export interface AutoMitigationPhaseDeps {
  readonly engine: AutoMitigation;
  readonly now: () => number;
}

/** HTTP version, and for TLS the protocol version and ALPN: the protocol part of the fingerprint. */
function protoOf(ctx: RequestContext): string {
  const req = ctx.req;
  if (!ctx.tls) return req.httpVersion;
  try {
    const sock = req.socket as TLSSocket | undefined; // HTTP/2: node's proxy to the session's socket
    return `${req.httpVersion}/${sock?.getProtocol?.() ?? ''}/${sock?.alpnProtocol || ''}`;
  } catch { return `${req.httpVersion}/tls`; } // a session already gone: the version alone
}

export function requestTraits(ctx: RequestContext, engine?: AutoMitigation): Traits {
  const req = ctx.req;
  const proto = protoOf(ctx);
  const fingerprint = fingerprintOf(req.rawHeaders, proto);
  if (engine !== undefined && !engine.knowsFingerprint(fingerprint)) engine.noteFingerprint(fingerprint, describeFingerprint(req.rawHeaders, proto));
  return { path: pathOf(req.url ?? '/'), ua: uaOf(req.headers['user-agent']), prefix: prefixOf(ctx.clientIp), fingerprint };
}

type Mode = 'on' | 'log' | 'off';

function modeOf(ctx: RequestContext): Mode {
  return (ctx.zone!.settings as { auto_mitigation?: Mode }).auto_mitigation ?? 'on';
}

/** What one rule does to this request (continue when it lets it pass). */
function decide(ctx: RequestContext, deps: AutoMitigationPhaseDeps, r: AutoRule, now: number): Verdict {
  if (r.mode === 'log') { ctx.matched.push(`mitigation:${r.id}:log`); return CONTINUE; }
  switch (r.action) {
    case 'challenge':
      return { kind: 'challenge', method: 'managed', reason: 'auto.challenge', ruleId: r.id };
    case 'ratelimit':
      if (deps.engine.allow(r, now)) return CONTINUE;
      return { kind: 'respond', status: 429, reason: 'auto.ratelimit', ruleId: r.id, headers: { 'retry-after': '1' } };
    case 'security_level': {
      // verified crawlers pass a raised level as they pass the configured one (verified_bots_skip_challenge)
      if (ctx.notes.get(VERIFIED_BOT_NOTE) === true && (ctx.zone!.settings as { verified_bots_skip_challenge?: boolean }).verified_bots_skip_challenge !== false) return CONTINUE;
      const score = (ctx.notes.get('threat_score') as number | undefined) ?? 0;
      if (r.level === 'under_attack' || score >= 1) return { kind: 'challenge', method: 'managed', reason: 'auto.challenge', ruleId: r.id };
      return CONTINUE;
    }
  }
}

/**
 * Every matching rule counts the request (it keeps the rule alive while the attack lasts); the first one that
 * does not let it pass decides. `apply` false (an allow rule): counted only.
 */
function enforce(ctx: RequestContext, deps: AutoMitigationPhaseDeps, rules: readonly AutoRule[], t: Traits, apply: boolean): Verdict {
  const now = deps.now();
  const zoneId = ctx.zone!.id;
  let v: Verdict = CONTINUE;
  for (const r of rules) {
    if (r.expiresAt <= now || !matches(r, t)) continue;
    deps.engine.hit(zoneId, r.id);
    if (apply && v.kind === 'continue') v = decide(ctx, deps, r, now);
  }
  return v;
}

export function createAutoMitigationPhase(deps: AutoMitigationPhaseDeps): Phase {
  const engine = deps.engine;
  return {
    name: 'auto-mitigation',
    onRequest(ctx: RequestContext): Verdict {
      const zone = ctx.zone!;
      const mode = modeOf(ctx);
      if (mode === 'off' || zone.settings.paused) return CONTINUE;
      const t = requestTraits(ctx, engine);
      ctx.notes.set(TRAITS_NOTE, true);
      const rules = engine.activeRules(zone.id);
      const v = rules.length === 0 ? CONTINUE : enforce(ctx, deps, rules, t, !ctx.skips('reputation'));
      // a mitigated request counts in the rate, not in what a new rule would be about
      engine.observe(zone.id, zone.settings.security_level, mode, t, v.kind !== 'continue');
      return v;
    },
    onLog(ctx: RequestContext): void {
      const zone = ctx.zone;
      if (zone === undefined || ctx.notes.get(TRAITS_NOTE) !== true) return;
      const err = ctx.errorCode;
      const f = ctx.final;
      const originError = (err !== undefined && err.startsWith('origin.')) || (f !== undefined && f.phase === 'origin' && f.verdict.kind !== 'continue' && f.verdict.reason.startsWith('origin.'));
      if (ctx.originStatus === 0 && !originError) return; // answered by the edge or the cache: says nothing about the origin
      engine.observeOrigin(zone.id, originError ? -1 : ctx.originMs, originError || ctx.originStatus >= 500);
    },
  };
}
