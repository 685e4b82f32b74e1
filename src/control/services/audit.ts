/**
 * The tamper-evident audit log's logic: canonical JSON, the hash chain, verification of an export, summaries of
 * request bodies without secrets, and a Router that records every successful or failed non-GET call.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { AuditEntry, AuditLog } from '../../state/ports.ts';
import { Router } from '../api/router.ts';
import type { ApiRequest, Route, RouteResult } from '../api/router.ts';
import { ApiError } from '../api/errors.ts';

export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level (no whitespace): the form that is hashed. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map((x) => canonicalJson(x === undefined ? null : x)).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The hash of an entry: SHA-256 of its canonical JSON without the `hash` field. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, time, actor, method, path, zone, status, detail, prev } = e;
  return sha256Hex(canonicalJson({ seq, time, actor, method, path, zone, status, detail, prev }));
}

/** Seal an entry onto the chain after `last` (undefined for the first entry). */
export function seal(e: Omit<AuditEntry, 'seq' | 'prev' | 'hash'>, last: { seq: number; hash: string } | undefined): AuditEntry {
  const base = { ...e, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS };
  return { ...base, hash: entryHash(base) };
}

export type VerifyResult =
  | { readonly ok: true; readonly entries: number; readonly head: string; readonly checkpoints: number }
  | { readonly ok: false; readonly line: number; readonly reason: string; readonly entries: number };

/** A signed statement of the chain head: "the log had `seq` entries ending in `hash` at `time`". */
export interface Checkpoint {
  readonly type: 'checkpoint';
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  /** Ed25519 signature (base64) over the canonical JSON of {type, seq, hash, time}. */
  readonly signature: string;
}

const checkpointBody = (c: Omit<Checkpoint, 'signature'>): string => canonicalJson({ type: 'checkpoint', seq: c.seq, hash: c.hash, time: c.time });

export function signCheckpoint(key: KeyObject, head: { seq: number; hash: string }, time: string): Checkpoint {
  const c = { type: 'checkpoint' as const, seq: head.seq, hash: head.hash, time };
  return { ...c, signature: sign(null, Buffer.from(checkpointBody(c)), key).toString('base64') };
}

export function verifyCheckpoint(pub: KeyObject, c: Checkpoint): boolean {
  try { return verify(null, Buffer.from(checkpointBody(c)), pub, Buffer.from(c.signature, 'base64')); } catch { return false; }
}

/**
 * The Ed25519 key that signs checkpoints: `audit-ed25519.key` (PKCS#8 PEM, mode 0600) in the data folder, made on
 * first use, with its public half beside it in `audit-ed25519.pub` (give that to whoever verifies exports).
 */
export function loadOrCreateAuditKey(dataDir: string): { privateKey: KeyObject; publicKeyPem: string } {
  const kf = join(dataDir, 'audit-ed25519.key');
  const pf = join(dataDir, 'audit-ed25519.pub');
  if (!existsSync(kf)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(kf + '.tmp', privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    renameSync(kf + '.tmp', kf);
  }
  const privateKey = createPrivateKey(readFileSync(kf));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(pf) || readFileSync(pf, 'utf8') !== publicKeyPem) writeFileSync(pf, publicKeyPem, { mode: 0o644 });
  return { privateKey, publicKeyPem };
}

/**
 * Periodic signed checkpoints of the chain head, kept beside the log (`<data>/audit-checkpoints.jsonl`, one signed
 * checkpoint per line, appended; a torn last line after a crash is skipped). The export interleaves them after the
 * entry they sign, so an export holder can prove that entries up to each checkpoint existed at its time (a removed
 * tail before the last checkpoint is detected). The transparency report quotes the last one of its period.
 */
export class CheckpointLog {
  readonly #file: string;
  #cache: Checkpoint[] | undefined;
  constructor(file: string) { this.#file = file; }

  list(): Checkpoint[] {
    if (this.#cache) return this.#cache;
    const out: Checkpoint[] = [];
    if (existsSync(this.#file)) {
      for (const line of readFileSync(this.#file, 'utf8').split('\n')) {
        if (!line) continue;
        try { const c = JSON.parse(line) as Checkpoint; if (c.type === 'checkpoint') out.push(c); } catch { /* torn last line */ }
      }
    }
    this.#cache = out;
    return out;
  }

  /** Sign and keep a checkpoint of `head` unless the last one already covers it. Returns the new one, if any. */
  add(key: KeyObject, head: { seq: number; hash: string }, time: string): Checkpoint | undefined {
    const last = this.list().at(-1);
    if (head.seq === 0 || (last !== undefined && last.seq >= head.seq)) return undefined;
    const c = signCheckpoint(key, head, time);
    appendFileSync(this.#file, JSON.stringify(c) + '\n', { mode: 0o600 });
    this.list().push(c);
    return c;
  }

  /** The last checkpoint signed before `time` (ms), if any. */
  before(time: number): Checkpoint | undefined {
    let found: Checkpoint | undefined;
    for (const c of this.list()) if (Date.parse(c.time) < time) found = c;
    return found;
  }
}

/**
 * Check an exported log (JSON lines, one entry per line, from the first entry): every entry's hash recomputes,
 * links to the previous one, and the sequence numbers have no gap. Names the first bad line (1-based).
 * A truncated tail (last entries removed) is not detectable without a signed chain head.
 */
export function verifyChain(text: string, publicKey?: KeyObject): VerifyResult {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let last: { seq: number; hash: string } | undefined;
  let n = 0;
  let checkpoints = 0;
  let lastSigned = -1;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const fail = (reason: string): VerifyResult => ({ ok: false, line: lineNo, reason, entries: n });
    let e: AuditEntry;
    try { e = JSON.parse(lines[i]!) as AuditEntry; } catch { return fail('not valid JSON'); }
    if (e !== null && typeof e === 'object' && (e as unknown as { type?: unknown }).type === 'checkpoint') {
      const c = e as unknown as Checkpoint;
      if (c.seq !== (last?.seq ?? 0) || c.hash !== (last?.hash ?? GENESIS)) return fail(`checkpoint for entry ${String(c.seq)} does not match the chain at this point (entry ${last?.seq ?? 0})`);
      if (publicKey !== undefined && !verifyCheckpoint(publicKey, c)) return fail('checkpoint signature does not verify with the given public key');
      checkpoints++;
      lastSigned = c.seq;
      continue;
    }
    if (e === null || typeof e !== 'object' || typeof e.hash !== 'string' || typeof e.prev !== 'string' || typeof e.seq !== 'number') return fail('not an audit entry (seq, prev, hash missing)');
    const wantSeq = (last?.seq ?? 0) + 1;
    if (e.seq !== wantSeq) return fail(`sequence ${e.seq} where ${wantSeq} was expected (an entry was removed, added or reordered)`);
    const wantPrev = last?.hash ?? GENESIS;
    if (e.prev !== wantPrev) return fail(`prev ${e.prev.slice(0, 12)}… does not match the previous entry's hash ${wantPrev.slice(0, 12)}… (removed or reordered)`);
    const h = entryHash(e);
    if (h !== e.hash) return fail(`entry ${e.seq} was altered (its content hashes to ${h.slice(0, 12)}…, it claims ${e.hash.slice(0, 12)}…)`);
    last = { seq: e.seq, hash: e.hash };
    n++;
  }
  if (publicKey !== undefined && checkpoints === 0) return { ok: false, line: lines.length + 1, reason: 'no signed checkpoint in the export (a removed tail cannot be ruled out)', entries: n };
  // an export ends with a checkpoint of its last entry; one that does not may have lost its tail
  if (publicKey !== undefined && lastSigned !== (last?.seq ?? 0)) return { ok: false, line: lines.length + 1, reason: `the export does not end with a signed checkpoint of its last entry (last signed: entry ${lastSigned}); a removed tail cannot be ruled out`, entries: n };
  return { ok: true, entries: n, head: last?.hash ?? GENESIS, checkpoints };
}

const SECRET_KEY = /token|secret|password|passwd|private|key|credential|authorization|cookie|document_base64|^document$/i;

/** A summary of a request body for the log: secrets redacted, long strings cut, depth and size bounded. */
export function summariseBody(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.length > 200 ? v.slice(0, 200) + `…(${v.length} chars)` : v;
  if (typeof v !== 'object') return v;
  if (depth >= 4) return '…';
  if (Array.isArray(v)) {
    const items = v.slice(0, 20).map((x) => summariseBody(x, depth + 1));
    return v.length > 20 ? [...items, `…(${v.length} items)`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : summariseBody(x, depth + 1);
  return out;
}

function zoneOf(req: ApiRequest, result: unknown): string | null {
  const p = req.params['id'] ?? req.params['zone'];
  if (req.path.startsWith('/client/v4/zones/') && p !== undefined) return p;
  const b = req.body as Record<string, unknown> | undefined;
  for (const k of ['zone', 'name']) if (b && typeof b === 'object' && typeof b[k] === 'string' && req.path.startsWith(k === 'name' ? '/client/v4/zones' : '/')) return b[k] as string;
  const r = result as Record<string, unknown> | null | undefined;
  if (r && typeof r === 'object' && typeof r['zone'] === 'string') return r['zone'];
  return null;
}

/** The state after the change as the API answered it (bounded, secrets redacted). */
function resultSummary(out: RouteResult): unknown {
  if (out.kind === 'raw') return { kind: 'raw', status: out.status };
  return summariseBody(out.result);
}

/**
 * A Router that appends an audit entry for every non-GET call that reached its handler (success or error).
 * Calls refused before the handler (no token, bad token, unknown route) are not administrative actions.
 * When the append itself fails, `onError` is told and the call still answers (the action already happened).
 */
export class AuditedRouter extends Router {
  readonly #log: AuditLog;
  readonly #now: () => Date;
  readonly #onError: (err: unknown) => void;

  constructor(log: AuditLog, onError: (err: unknown) => void, now: () => Date = () => new Date()) {
    super();
    this.#log = log;
    this.#now = now;
    this.#onError = onError;
  }

  override add(route: Route): void {
    if (route.method === 'GET') { super.add(route); return; }
    const inner = route.handler;
    const handler = async (req: ApiRequest, res: ServerResponse): Promise<RouteResult> => {
      // the state before a change: what a GET of the same path answers (PUT, PATCH and DELETE of an existing object)
      const before = req.method === 'POST' ? undefined : await this.#before(req, res);
      let out: RouteResult;
      try {
        out = await inner(req, res);
      } catch (e) {
        const status = e instanceof ApiError ? e.status : 500;
        await this.#record(req, status, { request: summariseBody(req.body), ...(before !== undefined ? { before } : {}), error: e instanceof Error ? e.message.slice(0, 300) : String(e) }, zoneOf(req, undefined));
        throw e;
      }
      const status = out.kind === 'raw' ? out.status : out.status ?? 200;
      await this.#record(req, status, { request: summariseBody(req.body), ...(before !== undefined ? { before } : {}), after: resultSummary(out) }, zoneOf(req, out.kind === 'json' ? out.result : undefined));
      return out;
    };
    super.add({ ...route, handler });
  }

  async #before(req: ApiRequest, res: ServerResponse): Promise<unknown> {
    const m = this.match('GET', req.path);
    if (!('route' in m)) return undefined;
    try {
      const r = await m.route.handler({ ...req, method: 'GET', params: m.params, body: undefined }, res);
      return resultSummary(r);
    } catch {
      return undefined; // nothing there yet (404) or not readable: no before state
    }
  }

  async #record(req: ApiRequest, status: number, detail: unknown, zone: string | null): Promise<void> {
    try {
      await this.#log.append({ time: this.#now().toISOString(), actor: req.auth.subject, method: req.method, path: req.path, zone, status, detail });
    } catch (e) {
      this.#onError(e);
    }
  }
}
