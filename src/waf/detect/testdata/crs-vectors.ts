/**
 * Test-only harness: reads the OWASP CRS regression tests (go-ftw YAML) from the shared CRS checkout (never copied
 * into this repo) and turns each test's request into the list of values the CRS would hand to @detectSQLi /
 * @detectXSS (ARGS, ARGS_NAMES, cookies, cookie names, User-Agent, Referer, XML text and attributes), after an
 * approximation of the rule's transformation chain.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CRS_TESTS_DIR = new URL('../../../../../shared/crs/4.28.0/tests/regression/tests/', import.meta.url)
  .pathname;

export interface CrsVector {
  readonly file: string;
  readonly testId: number;
  readonly desc: string;
  /** Values after the transformation chain. */
  readonly values: readonly string[];
  /** true: the rule id is in expect_ids; false: in no_expect_ids; null: the test is about another rule. */
  readonly expect: boolean | null;
}

export type Chain = 'sqli' | 'xss';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formDecode(s: string): string {
  return urlDecodeUni(s);
}

/** ModSecurity-style urlDecodeUni: %XX, %uXXXX (full-width ASCII folded to ASCII), '+' to space; lenient. */
export function urlDecodeUni(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '+') {
      out += ' ';
    } else if (c === '%') {
      const u = s[i + 1];
      if ((u === 'u' || u === 'U') && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
        let cp = parseInt(s.slice(i + 2, i + 6), 16);
        if (cp >= 0xff01 && cp <= 0xff5e) cp -= 0xfee0;
        out += String.fromCharCode(cp);
        i += 5;
      } else if (/^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&', nbsp: '\u00a0', apos: "'" };

export function htmlEntityDecode(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});?/g, (m, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(parseInt(body.slice(2), 16) % 0x110000);
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10) % 0x110000);
    return NAMED[body.toLowerCase()] ?? m;
  });
}

export function jsDecode(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (_m, b: string) => {
    if (b[0] === 'u' && b.length === 5) return String.fromCharCode(parseInt(b.slice(1), 16));
    if (b[0] === 'x' && b.length === 3) return String.fromCharCode(parseInt(b.slice(1), 16));
    if (/^[0-7]+$/.test(b)) return String.fromCharCode(parseInt(b, 8) & 0xff);
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
    return map[b] ?? b;
  });
}

export function cssDecode(s: string): string {
  return s.replace(/\\([0-9a-fA-F]{1,6}\s?|[\s\S])/g, (_m, b: string) => {
    const h = b.trim();
    if (/^[0-9a-fA-F]+$/.test(h)) return String.fromCharCode(parseInt(h, 16) & 0xff);
    if (b === '\n') return '';
    return b;
  });
}

function utf8toUnicode(s: string): string {
  // The YAML is already Unicode; ModSecurity's %uXXXX round trip through urlDecodeUni keeps the code point
  // except that full-width ASCII folds to ASCII, which urlDecodeUni does for us if we encode here.
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0xff01 && cp <= 0xff5e ? String.fromCharCode(cp - 0xfee0) : ch;
  }
  return out;
}

export function transform(chain: Chain, v: string): string {
  let s = urlDecodeUni(utf8toUnicode(v));
  if (chain === 'xss') s = cssDecode(jsDecode(htmlEntityDecode(s)));
  return s.replaceAll('\0', '');
}

function xmlDecode(s: string): string {
  return htmlEntityDecode(s);
}

function xmlValues(body: string): string[] {
  const out: string[] = [];
  const text = body.replace(/<\?[^>]*\?>/g, '').replace(/<!DOCTYPE[^>]*>/gi, '');
  for (const m of text.matchAll(/<[a-zA-Z_][^\s/>]*([^>]*)>/g)) {
    for (const a of (m[1] ?? '').matchAll(/\s[^\s=]+\s*=\s*("([^"]*)"|'([^']*)')/g)) out.push(xmlDecode(a[2] ?? a[3] ?? ''));
  }
  const inner = text.replace(/<[^>]*>/g, '');
  if (inner.trim() !== '') out.push(xmlDecode(inner));
  return out;
}

function jsonValues(body: string, out: string[], prefix = 'json'): void {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    out.push(body);
    return;
  }
  const walk = (x: unknown, name: string): void => {
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${name}.array_${i}`));
    else if (isRecord(x)) for (const [k, y] of Object.entries(x)) walk(y, `${name}.${k}`);
    else {
      out.push(name);
      out.push(x === null ? '' : String(x));
    }
  };
  walk(v, prefix);
}

function formValues(s: string, out: string[]): void {
  for (const pair of s.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) {
      out.push(formDecode(pair));
      out.push('');
    } else {
      out.push(formDecode(pair.slice(0, eq)));
      out.push(formDecode(pair.slice(eq + 1)));
    }
  }
}

function multipartValues(body: string, boundary: string, out: string[]): void {
  for (const part of body.split('--' + boundary)) {
    const sep = part.search(/\r?\n\r?\n/);
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head);
    if (!name) continue;
    out.push(name[1] ?? '');
    out.push(part.slice(sep).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, ''));
  }
}

function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return undefined;
}

/** The raw (pre-transformation) values the rule inspects for one request. */
export function requestValues(input: Record<string, unknown>, chain: Chain): string[] {
  const raw: string[] = [];
  const headers = isRecord(input['headers']) ? input['headers'] : {};
  const uri = typeof input['uri'] === 'string' ? input['uri'] : '';
  const q = uri.indexOf('?');
  if (q >= 0) formValues(uri.slice(q + 1), raw);
  const data = input['data'];
  if (typeof data === 'string' && data !== '') {
    const ct = (headerOf(headers, 'content-type') ?? '').toLowerCase();
    if (ct.includes('json')) jsonValues(data, raw);
    else if (ct.includes('xml') || data.trimStart().startsWith('<?xml')) raw.push(...xmlValues(data));
    else if (ct.startsWith('multipart/')) multipartValues(data, /boundary=([^;\s]+)/.exec(ct)?.[1] ?? '', raw);
    else formValues(data, raw);
  }
  const cookie = headerOf(headers, 'cookie');
  if (cookie !== undefined) {
    for (const c of cookie.split(';')) {
      const eq = c.indexOf('=');
      raw.push((eq < 0 ? c : c.slice(0, eq)).trim());
      if (eq >= 0) raw.push(c.slice(eq + 1));
    }
  }
  const ua = headerOf(headers, 'user-agent');
  if (ua !== undefined) raw.push(ua);
  const ref = headerOf(headers, 'referer');
  if (ref !== undefined && chain === 'sqli') raw.push(ref);
  return raw.filter((v) => v !== '').map((v) => transform(chain, v));
}

function ids(x: unknown): number[] {
  return Array.isArray(x) ? x.filter((y): y is number => typeof y === 'number') : [];
}

/** Load every test of one YAML file with its expectation for `ruleId`. */
export function loadCrsFile(path: string, ruleId: number, chain: Chain): CrsVector[] {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  const out: CrsVector[] = [];
  if (!isRecord(doc) || !Array.isArray(doc['tests'])) return out;
  for (const t of doc['tests']) {
    if (!isRecord(t) || !Array.isArray(t['stages'])) continue;
    for (const st of t['stages']) {
      if (!isRecord(st) || !isRecord(st['input'])) continue;
      const output = isRecord(st['output']) ? st['output'] : {};
      const log = isRecord(output['log']) ? output['log'] : {};
      const expect = ids(log['expect_ids']).includes(ruleId)
        ? true
        : ids(log['no_expect_ids']).includes(ruleId)
          ? false
          : null;
      out.push({
        file: path.slice(path.lastIndexOf('/') + 1),
        testId: typeof t['test_id'] === 'number' ? t['test_id'] : 0,
        desc: typeof t['desc'] === 'string' ? t['desc'] : '',
        values: requestValues(st['input'], chain),
        expect,
      });
    }
  }
  return out;
}

/** Load every test file of a CRS test directory (e.g. REQUEST-942-APPLICATION-ATTACK-SQLI). */
export function loadCrsDir(dir: string, chain: Chain): { ruleId: number; vectors: CrsVector[] }[] {
  const full = join(CRS_TESTS_DIR, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const ruleId = Number(f.slice(0, 6));
      return { ruleId, vectors: loadCrsFile(join(full, f), ruleId, chain) };
    });
}

export function crsAvailable(): boolean {
  return existsSync(CRS_TESTS_DIR);
}
