/**
 * Security events from the edge: every request a security phase blocked, challenged or logged becomes one event
 * (with the WAF's matched rules as details), batched off the hot path into the SecurityEventStore port.
 * A store failure drops the batch and counts it (fail-open: traffic is never held up by event storage).
 */
import type { SecurityEvent, SecurityEventStore } from '../state/ports.ts';
import type { RequestContext } from './pipeline/context.ts';
import type { WafNote } from './phases/waf/index.ts';

const SOURCES: ReadonlyArray<[string, string]> = [['waf.', 'waf'], ['firewall.', 'firewall'], ['ratelimit.', 'ratelimit'], ['access.', 'access'], ['challenge.', 'challenge'], ['legal.', 'legal'], ['auto.', 'mitigation']];

function sourceOf(reason: string): string | undefined {
  for (const [p, s] of SOURCES) if (reason.startsWith(p)) return s;
  return undefined;
}

export class SecurityEventRecorder {
  readonly #store: SecurityEventStore;
  readonly #onFailure: (n: number) => void;
  #queue: SecurityEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #phaseOrder: readonly string[] = [];

  constructor(store: SecurityEventStore, onFailure: (dropped: number) => void) {
    this.#store = store;
    this.#onFailure = onFailure;
  }

  /** The request phases in their fixed order (set by the edge server), for the ray trace. */
  usePhaseOrder(names: readonly string[]): void { this.#phaseOrder = names; }

  /**
   * The ray trace of a request (only built for requests that make an event): every phase in order up to the one
   * that decided, with what it decided and why, and what the phases noted on the way (threat score, WAF score
   * and rules, rules that matched in log mode, products skipped by a rule).
   */
  #trace(ctx: RequestContext, waf: WafNote | undefined): unknown {
    const f = ctx.final;
    const phases: Array<{ phase: string; decision: string; reason?: string; rule?: string }> = [];
    for (const name of this.#phaseOrder) {
      if (f !== undefined && f.phase === name) {
        const v = f.verdict;
        phases.push({ phase: name, decision: v.kind, ...('reason' in v ? { reason: v.reason } : {}), ...('ruleId' in v && v.ruleId !== undefined ? { rule: v.ruleId } : {}) });
        break;
      }
      const skipped = ctx.skips(name.replace('-', '_')) || (name === 'firewall-rules' && ctx.skips('firewall'));
      phases.push({ phase: name, decision: skipped ? 'skipped' : 'continue' });
    }
    if (f === undefined || !this.#phaseOrder.includes(f.phase)) phases.push({ phase: f?.phase ?? 'origin', decision: f === undefined ? 'forwarded' : f.verdict.kind, ...(f !== undefined && 'reason' in f.verdict ? { reason: f.verdict.reason } : {}) });
    return {
      phases,
      threat_score: (ctx.notes.get('threat_score') as number | undefined) ?? 0,
      ...(waf !== undefined ? { waf: { anomaly_score: waf.inbound, rules: waf.matches.map((m) => m.id) } } : {}),
      ...(ctx.matched.length ? { matched: [...ctx.matched] } : {}),
      ...(ctx.skip !== undefined ? { skipped: [...ctx.skip] } : {}),
    };
  }

  /** Called by the log phase for every request; cheap when nothing happened. */
  record(ctx: RequestContext): void {
    const f = ctx.final;
    const waf = ctx.notes.get('waf') as WafNote | undefined;
    if (f === undefined && waf === undefined && ctx.matched.length === 0) return;
    const zone = ctx.zone;
    if (zone === undefined) return;
    const req = ctx.req;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const base = {
      ray: ctx.ray, zoneId: zone.id, time: Date.now(), clientIp: ctx.clientIp, method: req.method ?? '', host: ctx.host,
      path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1, q + 1 + 2048), userAgent: (req.headers['user-agent'] ?? '').slice(0, 512),
      status: ctx.res.statusCode,
    };
    const trace = this.#trace(ctx, waf);
    const wafDetails = waf === undefined ? undefined : {
      anomaly_score: waf.inbound, budget_exceeded: waf.budgetExceeded,
      rules: waf.matches.map((m) => ({ id: m.id, msg: m.msg, data: m.data.slice(0, 512), severity: m.severity, variable: m.variable, phase: m.phase, tags: m.tags })),
    };
    let wafRecorded = false;
    if (f !== undefined && f.verdict.kind !== 'continue') {
      let source = sourceOf(f.verdict.reason);
      // issue 6: a challenge served for automatic mitigation (auto.challenge → challenge.issued) is that feature's event
      if (source === 'challenge' && ctx.verdicts[0]?.verdict.kind === 'challenge' && ctx.verdicts[0].verdict.reason.startsWith('auto.')) source = 'mitigation';
      if (source !== undefined) {
        const action = f.verdict.kind === 'respond' ? (f.verdict.reason.startsWith('challenge.') ? (f.verdict.status < 400 ? 'pass' : 'challenge') : 'block') : f.verdict.kind;
        this.#push({ ...base, action, source, ruleId: 'ruleId' in f.verdict ? f.verdict.ruleId ?? null : null, reason: f.verdict.reason, details: { ...(source === 'waf' ? wafDetails : {}), trace } });
        wafRecorded = source === 'waf';
      }
    }
    if (waf !== undefined && !wafRecorded && waf.matches.length > 0) {
      this.#push({ ...base, action: 'log', source: 'waf', ruleId: String(waf.matches[waf.matches.length - 1]?.id ?? ''), reason: 'waf.match', details: { ...wafDetails, trace } });
    }
    for (const m of ctx.matched) {
      const [kind, id, action] = m.split(':');
      if (kind === 'challenge') continue;
      this.#push({ ...base, action: action ?? 'log', source: kind === 'rule' ? 'firewall' : kind ?? 'firewall', ruleId: id ?? null, reason: `${kind}.${action}`, details: { trace } });
    }
  }

  #push(e: SecurityEvent): void {
    this.#queue.push(e);
    if (this.#queue.length >= 500) void this.flush();
    else if (this.#timer === undefined) { this.#timer = setTimeout(() => { void this.flush(); }, 200); this.#timer.unref(); }
  }

  async flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    await this.#flushing;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#flushing = this.#store.append(batch).catch(() => this.#onFailure(batch.length)).finally(() => { this.#flushing = undefined; });
    await this.#flushing;
  }
}
