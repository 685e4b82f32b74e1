/**
 * What the data plane provides per request. Plain properties the integrator fills cheaply, and methods for what is
 * costly (headers, cookies, query arguments) so they are computed only when an expression asks for them.
 * `createRuleRequest()` builds one from plain data, parsing cookies and arguments lazily.
 */

export interface RuleRequest {
  /** `GET`, `POST`, ... as sent. */
  readonly method: string;
  /** The raw request target, e.g. `/a/b?x=1`. */
  readonly uri: string;
  /** The path part of the target, raw (not percent-decoded). */
  readonly path: string;
  /** The query part, without the leading `?` ('' when none). */
  readonly query: string;
  /** The Host header (or :authority). */
  readonly host: string;
  /** Every value of a header; `name` is lower case. Empty when absent. */
  header(name: string): readonly string[];
  /** Lower-case names of the headers present. */
  headerNames(): readonly string[];
  /** Every value of a cookie by exact name. Empty when absent. */
  cookie(name: string): readonly string[];
  /** Every value of a query argument (percent-decoded, `+` as space) by exact name. Empty when absent. */
  arg(name: string): readonly string[];
  /** Names of the query arguments, in order of first appearance. */
  argNames(): readonly string[];
  /** `HTTP/1.0`, `HTTP/1.1`, `HTTP/2`, `HTTP/3`. */
  readonly version: string;
  /** Declared body size in bytes (Content-Length, or the bytes read); 0 when none. */
  readonly bodySize: number;
  /** The client address as text (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly ip: string;
  /** ISO 3166-1 alpha-2 country of the client, upper case; `XX` or undefined when unknown. */
  readonly country?: string | undefined;
  /** Autonomous system number of the client; undefined (read as 0) when unknown. */
  readonly asn?: number | undefined;
  /** True when the client connection is TLS. */
  readonly ssl: boolean;
  /** Shared IP reputation score, 0..100; undefined reads as 0. */
  readonly threatScore?: number | undefined;
  /** True for a verified good bot; undefined reads as false. */
  readonly verifiedBot?: boolean | undefined;
}

/**
 * Headers as a record (node's `IncomingMessage.headers`: note node joins some repeated headers with ', '), as
 * `[name, value]` pairs (a fetch `Headers`, a Map), or as node's flat `rawHeaders` array `[name, value, name, value…]`.
 */
export type HeaderInput =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>
  | readonly string[];

export interface RuleRequestInit {
  method?: string;
  /** The raw request target. */
  uri?: string;
  host?: string;
  headers?: HeaderInput;
  version?: string;
  bodySize?: number;
  ip: string;
  country?: string;
  asn?: number;
  ssl?: boolean;
  threatScore?: number;
  verifiedBot?: boolean;
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Build a RuleRequest from plain data; headers are indexed, cookies and arguments parsed on first use. */
export function createRuleRequest(init: RuleRequestInit): RuleRequest {
  const uri = init.uri ?? '/';
  const q = uri.indexOf('?');
  const hash = uri.indexOf('#');
  const pathEnd = q >= 0 ? q : hash >= 0 ? hash : uri.length;
  const path = uri.slice(0, pathEnd);
  const query = q >= 0 ? uri.slice(q + 1, hash > q ? hash : uri.length) : '';
  const headers = indexHeaders(init.headers);
  let cookies: Map<string, string[]> | undefined;
  let args: Map<string, string[]> | undefined;
  const getArgs = (): Map<string, string[]> => (args ??= parseQueryArgs(query));
  return {
    method: init.method ?? 'GET',
    uri,
    path,
    query,
    host: init.host ?? headers.get('host')?.[0] ?? '',
    header: (name) => headers.get(name) ?? EMPTY,
    headerNames: () => [...headers.keys()],
    cookie: (name) => (cookies ??= parseCookies(headers.get('cookie') ?? EMPTY)).get(name) ?? EMPTY,
    arg: (name) => getArgs().get(name) ?? EMPTY,
    argNames: () => [...getArgs().keys()],
    version: init.version ?? 'HTTP/1.1',
    bodySize: init.bodySize ?? 0,
    ip: init.ip,
    country: init.country,
    asn: init.asn,
    ssl: init.ssl ?? false,
    threatScore: init.threatScore,
    verifiedBot: init.verifiedBot,
  };
}

function indexHeaders(input: HeaderInput | undefined): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (!input) return m;
  const add = (k: string, v: string): void => {
    const key = k.toLowerCase();
    const list = m.get(key);
    if (list) list.push(v);
    else m.set(key, [v]);
  };
  if (Array.isArray(input) && (input.length === 0 || typeof input[0] === 'string')) {
    const flat = input as readonly string[];
    for (let i = 0; i + 1 < flat.length; i += 2) add(flat[i] as string, flat[i + 1] as string);
  } else if (Symbol.iterator in input) {
    for (const [k, v] of input as Iterable<readonly [string, string]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(input as Readonly<Record<string, string | readonly string[] | undefined>>)) {
      if (v === undefined) continue;
      if (typeof v === 'string') add(k, v);
      else for (const x of v) add(k, x);
    }
  }
  return m;
}

/** Parse Cookie header values: `a=1; b=2`. Names are exact; values keep their quotes and encoding. */
export function parseCookies(values: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const header of values) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      const name = (eq >= 0 ? part.slice(0, eq) : part).trim();
      if (!name) continue;
      const value = eq >= 0 ? part.slice(eq + 1).trim() : '';
      const list = m.get(name);
      if (list) list.push(value);
      else m.set(name, [value]);
    }
  }
  return m;
}

/** Parse a query string into decoded names and values (`+` is a space; bad `%` sequences are kept as written). */
export function parseQueryArgs(query: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (!query) return m;
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = formDecode(eq >= 0 ? part.slice(0, eq) : part);
    const value = eq >= 0 ? formDecode(part.slice(eq + 1)) : '';
    const list = m.get(name);
    if (list) list.push(value);
    else m.set(name, [value]);
  }
  return m;
}

function formDecode(s: string): string {
  return percentDecode(s.includes('+') ? s.replace(/\+/g, ' ') : s);
}

/** Percent-decode as UTF-8; a malformed sequence is kept as written instead of failing. */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      }
    });
  }
}
