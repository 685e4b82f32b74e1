/**
 * A phase of the request path. The fixed order lives in run.ts; the chart is docs/lifecycle.md.
 * A phase that answers early says so by returning a Verdict, never by throwing.
 */
import type { RequestContext } from './context.ts';
import type { EdgeSnapshot } from '../../config/snapshot.ts';

/** Stable reason codes carried by verdicts (they land in logs, metrics and security events). */
export type ReasonCode = string;

export type Verdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'respond'; readonly status: number; readonly reason: ReasonCode; readonly ruleId?: string;
      readonly headers?: Readonly<Record<string, string>>; readonly body?: string; readonly contentType?: string }
  | { readonly kind: 'challenge'; readonly method: string; readonly reason: ReasonCode; readonly ruleId?: string }
  | { readonly kind: 'drop'; readonly reason: ReasonCode }
  /** The phase wrote the response itself (e.g. the cache served a stored response). */
  | { readonly kind: 'served'; readonly reason: ReasonCode };

export const CONTINUE: Verdict = Object.freeze({ kind: 'continue' });

export type PhaseName =
  | 'legal' | 'access-rules' | 'reputation' | 'auto-mitigation' /* issue 6: automatic mitigation */ | 'firewall-rules' | 'rate-limit' | 'waf' | 'challenge' | 'cache' | 'origin'
  | 'transforms' | 'log'
  | 'verified-bots'; // issue 6 (docs/bots-and-origin.md)

export interface Phase {
  readonly name: PhaseName;
  /** Runs in order before the origin; a non-continue verdict stops the request side. */
  onRequest?(ctx: RequestContext): Verdict | Promise<Verdict>;
  /** Always runs once the exchange is over (answered, failed or aborted). */
  onLog?(ctx: RequestContext): void;
  /** Called when a new snapshot is swapped in, before it serves requests: compile what it needs. */
  onSnapshot?(s: EdgeSnapshot): void;
}
