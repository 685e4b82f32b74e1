/**
 * go-ftw test files: loading, the request each stage sends (raw bytes semantics kept), and the checks on the
 * outcome. Drivers (in-process engine now, HTTP through a running Rampart later) turn a request into an outcome.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface FtwInput {
  dest_addr?: string;
  port?: number;
  method?: string;
  uri?: string;
  version?: string;
  headers?: Record<string, string | number>;
  data?: string;
  encoded_request?: string;
  autocomplete_headers?: boolean;
  stop_magic?: boolean;
}

export interface FtwOutput {
  status?: number | number[];
  log?: { expect_ids?: number[]; no_expect_ids?: number[]; match_regex?: string; no_match_regex?: string };
  expect_error?: boolean;
  log_contains?: string;
  no_log_contains?: string;
}

export interface FtwTest { ruleId: number; testId: number; desc: string; file: string; stages: Array<{ input: FtwInput; output: FtwOutput }> }

/** A request as it goes on the wire: header names/values and body are byte strings (latin1). */
export interface WireRequest {
  method: string;
  uri: string;
  version: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface Outcome {
  status: number;
  /** rule ids logged for this request */
  ids: number[];
  /** ModSecurity-style log text (`[id "942100"] [msg "..."] [data "..."]`), for match_regex */
  log: string;
  error?: string;
}

export interface Driver {
  readonly name: string;
  send(req: WireRequest): Promise<Outcome>;
}

export function loadTests(dir: string): FtwTest[] {
  const out: FtwTest[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) {
        const doc = (parse(readFileSync(p, "utf8")) ?? {}) as { rule_id?: number; tests?: Array<{ test_id?: number; desc?: string; stages?: Array<{ input?: FtwInput; output?: FtwOutput; stage?: { input?: FtwInput; output?: FtwOutput } }> }> };
        const ruleId = Number(doc.rule_id ?? name.replace(/\D/g, ''));
        for (const t of doc.tests ?? []) {
          out.push({
            ruleId,
            testId: Number(t.test_id ?? 0),
            desc: t.desc ?? '',
            file: p,
            stages: (t.stages ?? []).map((s) => ({ input: s.input ?? s.stage?.input ?? {}, output: s.output ?? s.stage?.output ?? {} })),
          });
        }
      }
    }
  };
  walk(dir);
  return out;
}

function decodeChunked(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const nl = b.indexOf('\r\n', pos, 'latin1');
    if (nl < 0) break;
    const size = parseInt(b.subarray(pos, nl).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(b.subarray(nl + 2, nl + 2 + size));
    pos = nl + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parse a raw HTTP/1.x request (encoded_request). */
export function parseRawRequest(raw: Buffer): WireRequest {
  const s = raw.toString('latin1');
  let headEnd = s.indexOf('\r\n\r\n');
  let sep = 4;
  if (headEnd < 0) { headEnd = s.indexOf('\n\n'); sep = 2; }
  if (headEnd < 0) { headEnd = s.length; sep = 0; }
  const lines = s.slice(0, headEnd).split(/\r?\n/);
  const reqLine = lines.shift() ?? '';
  const m = /^(\S+)\s+(.*?)\s+(\S+)$/.exec(reqLine);
  const method = m?.[1] ?? reqLine.split(' ')[0] ?? 'GET';
  const uri = m?.[2] ?? reqLine.split(' ')[1] ?? '/';
  const version = m?.[3] ?? 'HTTP/1.1';
  const headers: Array<[string, string]> = [];
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
  }
  let body = raw.subarray(Math.min(raw.length, headEnd + sep));
  if (headers.some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v))) body = decodeChunked(body);
  return { method, uri, version, headers, body };
}

/** The request go-ftw would send for a stage input. */
export function buildRequest(input: FtwInput): WireRequest {
  if (input.encoded_request) return parseRawRequest(Buffer.from(input.encoded_request.replace(/\s+/g, ''), 'base64'));
  const headers: Array<[string, string]> = Object.entries(input.headers ?? {}).map(([k, v]) => [k, String(v)]);
  const body = Buffer.from(input.data ?? '', 'utf8');
  const auto = input.autocomplete_headers !== false;
  if (auto) {
    const has = (n: string): boolean => headers.some(([k]) => k.toLowerCase() === n);
    const method = (input.method ?? 'GET').toUpperCase();
    if ((body.length > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH') && !has('content-length') && !has('transfer-encoding')) headers.push(['Content-Length', String(body.length)]);
    if (!has('connection')) headers.push(['Connection', 'close']);
    if (body.length > 0 && !has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const toLatin1 = (x: string): string => Buffer.from(x, 'utf8').toString('latin1');
  return {
    method: input.method ?? 'GET',
    uri: toLatin1(input.uri ?? '/'),
    version: input.version ?? 'HTTP/1.1',
    headers: headers.map(([k, v]) => [toLatin1(k), toLatin1(v)]),
    body,
  };
}

/** Why a stage's outcome does not meet its expected output, or undefined when it does. */
export function checkOutcome(out: FtwOutput, got: Outcome): string | undefined {
  if (out.expect_error) return got.error ? undefined : 'expected an error';
  if (got.error) return `error: ${got.error}`;
  const why: string[] = [];
  if (out.status !== undefined) {
    const ok = Array.isArray(out.status) ? out.status.includes(got.status) : out.status === got.status;
    if (!ok) why.push(`status ${got.status}, expected ${JSON.stringify(out.status)}`);
  }
  const log = out.log ?? {};
  const missing = (log.expect_ids ?? []).filter((id) => !got.ids.includes(id));
  if (missing.length > 0) why.push(`missing ids ${missing.join(',')}`);
  const extra = (log.no_expect_ids ?? []).filter((id) => got.ids.includes(id));
  if (extra.length > 0) why.push(`unexpected ids ${extra.join(',')}`);
  if (log.match_regex && !new RegExp(log.match_regex).test(got.log)) why.push(`log does not match /${log.match_regex}/`);
  if (log.no_match_regex && new RegExp(log.no_match_regex).test(got.log)) why.push(`log matches /${log.no_match_regex}/`);
  return why.length > 0 ? why.join('; ') : undefined;
}
