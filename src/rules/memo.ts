/**
 * Values shared by every compiled expression for the request being evaluated: a header-derived field (User-Agent,
 * Referer, Cookie), a map lookup, or lower()/upper() of such a value is computed once per request however many of a
 * zone's rules read it. Each memo keeps its last request and value (one entry: requests are evaluated one at a
 * time per process), so a request is held until the next one is evaluated.
 */
import type { RuleRequest } from './request.ts';
import type { Value } from './fields.ts';

type Fn = (req: RuleRequest) => Value;

const memos = new Map<string, Fn>();

/** A per-request memo of `get`, shared by every expression that asks with the same key. */
export function sharedMemo(key: string, get: Fn): Fn {
  let m = memos.get(key);
  if (m === undefined) {
    let last: RuleRequest | undefined;
    let value: Value = null;
    m = (r) => {
      if (r !== last) { value = get(r); last = r; }
      return value;
    };
    if (memos.size < 10_000) memos.set(key, m);
  }
  return m;
}

/** Fields cheap enough to read directly (plain properties of the request). */
export const DIRECT_FIELDS: ReadonlySet<string> = new Set([
  'http.request.method', 'http.request.uri', 'http.request.uri.path', 'http.request.uri.query', 'http.host',
  'http.request.version', 'http.request.body.size', 'ssl', 'rampart.threat_score', 'rampart.verified_bot',
]);
