/**
 * The one typed per-request context: the only way phases share state about a request.
 * Cheap to create: fields are plain and filled lazily by the phases that need them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { CompiledZone } from '../../config/snapshot.ts';
import type { PhaseName, Verdict } from './phase.ts';
import { createRuleRequest } from '../../rules/index.ts';
import type { RuleRequest } from '../../rules/index.ts';

export type EdgeRequest = IncomingMessage | Http2ServerRequest;
export type EdgeResponse = ServerResponse | Http2ServerResponse;

/** Note key: body bytes (or stream) to send to the origin instead of the client stream, set by a phase that read it. */
export const BODY_NOTE = 'request.body';

/**
 * Note key: an observer of the origin exchange (the cache stores what streams through). Hooks are synchronous and
 * must not throw; `onHeaders` returns extra response headers to send.
 */
export const ORIGIN_TAP_NOTE = 'origin.tap';
export interface OriginTap {
  onHeaders(status: number, headers: Record<string, string | string[]>): Record<string, string> | undefined;
  onData(chunk: Buffer): void;
  onComplete(): void;
  onError(err: Error): void;
  /**
   * The origin failed (connection error, timeout, or a 5xx status): answer from elsewhere (a stale copy).
   * Returns true when it wrote the response.
   */
  fallback?(reason: string): boolean;
}

export interface PhaseRecord { readonly phase: PhaseName; readonly verdict: Verdict }

export class RequestContext {
  readonly ray: string;
  readonly req: EdgeRequest;
  readonly res: EdgeResponse;
  readonly start: number;
  readonly clientIp: string;
  readonly tls: boolean;
  readonly host: string;
  zone: CompiledZone | undefined;
  /** Verdicts that were not `continue`, in order (kept small: the common case stays empty). */
  readonly verdicts: PhaseRecord[] = [];
  /** The verdict that ended the request side early, if any. */
  final: PhaseRecord | undefined;
  originAddress: string | undefined;
  originStatus = 0;
  originMs = -1;
  errorCode: string | undefined;
  errorDetail: string | undefined;
  bytesIn = 0;
  bytesOut = 0;
  /** Security phases a matching `allow`/`skip` rule told later phases to skip (access_rules, rate_limit, waf, ...). */
  skip: Set<string> | undefined;
  /** Custom rules that matched with the `log` action, and other non-terminal matches worth logging. */
  readonly matched: string[] = [];
  #ruleReq: RuleRequest | undefined;
  /** Free-form, typed per phase, for later phases to read (WAF matches, rule ids, cache status...). */
  readonly notes: Map<string, unknown> = new Map();

  constructor(ray: string, req: EdgeRequest, res: EdgeResponse, clientIp: string, tls: boolean, host: string, start: number) {
    this.ray = ray;
    this.req = req;
    this.res = res;
    this.clientIp = clientIp;
    this.tls = tls;
    this.host = host;
    this.start = start;
    this.zone = undefined;
    this.final = undefined;
    this.skip = undefined;
  }

  /** The request as the Rules language sees it, built once on first use. */
  get ruleRequest(): RuleRequest {
    if (this.#ruleReq === undefined) {
      const req = this.req;
      const cl = req.headers['content-length'];
      this.#ruleReq = createRuleRequest({
        method: req.method ?? 'GET', uri: req.url ?? '/', host: this.host, headers: req.rawHeaders,
        version: req.httpVersionMajor === 2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`,
        bodySize: cl === undefined ? 0 : Number(cl) || 0, ip: this.clientIp, ssl: this.tls,
        threatScore: (this.notes.get('threat_score') as number | undefined) ?? 0,
        verifiedBot: this.notes.get('verified_bot') === true, // issue 6: set by the verified-bots phase
      });
    }
    return this.#ruleReq;
  }

  skips(what: string): boolean { return this.skip !== undefined && this.skip.has(what); }

  addSkip(what: Iterable<string>): void { for (const w of what) (this.skip ??= new Set()).add(w); }

  record(phase: PhaseName, verdict: Verdict): void {
    if (verdict.kind !== 'continue') this.verdicts.push({ phase, verdict });
  }
}
