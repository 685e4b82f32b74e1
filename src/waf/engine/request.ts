/** Fills a transaction's variables from the request line, headers and body, and from the response headers. */
import { parseJsonBody, parseMultipart, parseUrlEncoded, parseXml } from '../bodies/index.ts';
import type { Transaction } from './transaction.ts';

export interface RequestHeadersInput {
  method: string;
  /** raw request-target as received (origin-form, absolute-form, ...) */
  uri: string;
  protocol?: string;
  headers: Array<[string, string]>;
}

/** Header values may arrive as JS strings of UTF-8 text; rules see bytes, so non-latin1 text is re-encoded. */
function bytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** %HH → byte (no `+` handling: a path, not a form). */
function percentDecode(s: string): string {
  return s.includes('%') ? s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}

export function addArg(tx: Transaction, source: 'ARGS_GET' | 'ARGS_POST' | 'ARGS_PATH', key: string, value: string): void {
  tx.col(source).add(key, value);
  tx.col('ARGS').add(key, value);
  const cur = Number(tx.single.get('ARGS_COMBINED_SIZE') ?? '0');
  tx.single.set('ARGS_COMBINED_SIZE', String(cur + key.length + value.length));
}

export function populateRequestHeaders(tx: Transaction, req: RequestHeadersInput): void {
  const method = bytes(req.method);
  const rawUri = bytes(req.uri);
  const protocol = req.protocol ?? 'HTTP/1.1';
  let uri = rawUri;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(uri);
  if (abs) uri = uri.slice(abs[0].length) || '/';
  tx.single.set('REQUEST_METHOD', method);
  tx.single.set('REQUEST_PROTOCOL', protocol);
  tx.single.set('REQUEST_URI_RAW', rawUri);
  tx.single.set('REQUEST_URI', uri);
  tx.single.set('REQUEST_LINE', `${method} ${rawUri} ${protocol}`);
  const q = uri.indexOf('?');
  const hash = uri.indexOf('#');
  const pathEnd = q >= 0 ? q : hash >= 0 ? hash : uri.length;
  const path = percentDecode(uri.slice(0, pathEnd));
  tx.single.set('REQUEST_FILENAME', path);
  tx.single.set('REQUEST_BASENAME', path.slice(path.lastIndexOf('/') + 1));
  tx.single.set('PATH_INFO', path);
  if (q >= 0) {
    const qs = uri.slice(q + 1, hash > q ? hash : uri.length);
    tx.single.set('QUERY_STRING', qs);
    for (const [k, v] of parseUrlEncoded(qs, tx.ruleset.settings.argumentsLimit)) addArg(tx, 'ARGS_GET', k, v);
  } else tx.single.set('QUERY_STRING', '');
  const headers = tx.col('REQUEST_HEADERS');
  const cookies = tx.col('REQUEST_COOKIES');
  for (const [rn, rv] of req.headers) {
    const n = bytes(rn);
    const v = bytes(rv);
    headers.add(n, v);
    const ln = n.toLowerCase();
    if (ln === 'cookie') {
      for (const part of v.split(';')) {
        const t = part.trim();
        if (t === '') continue;
        const eq = t.indexOf('=');
        if (eq < 0) cookies.add(t, '');
        else cookies.add(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
      }
    } else if (ln === 'host') {
      tx.single.set('SERVER_NAME', v.replace(/:\d+$/, ''));
    } else if (ln === 'content-type') {
      const ct = v.toLowerCase();
      if (ct.startsWith('application/x-www-form-urlencoded')) tx.requestBodyProcessor = 'URLENCODED';
      else if (ct.startsWith('multipart/form-data')) tx.requestBodyProcessor = 'MULTIPART';
    }
  }
  if (tx.requestBodyProcessor) tx.single.set('REQBODY_PROCESSOR', tx.requestBodyProcessor);
}

function setError(tx: Transaction, msg: string): void {
  tx.single.set('REQBODY_ERROR', '1');
  tx.single.set('REQBODY_ERROR_MSG', msg);
  tx.single.set('REQBODY_PROCESSOR_ERROR', '1');
  tx.single.set('REQBODY_PROCESSOR_ERROR_MSG', msg);
}

export function processBody(tx: Transaction): void {
  const proc = tx.requestBodyProcessor;
  if (proc) tx.single.set('REQBODY_PROCESSOR', proc);
  if (!tx.requestBodyAccess) return;
  const body = tx.reqBody.length === 1 ? (tx.reqBody[0] as Buffer).toString('latin1') : Buffer.concat(tx.reqBody).toString('latin1');
  tx.single.set('REQUEST_BODY_LENGTH', String(body.length));
  // REQUEST_BODY holds the raw body, except for the XML and multipart processors unless forced (ModSecurity 2
  // semantics, which the CRS tests assume)
  if ((proc !== 'XML' && proc !== 'MULTIPART') || tx.forceRequestBodyVariable) tx.single.set('REQUEST_BODY', body);
  if (body.length === 0) return;
  const limit = tx.ruleset.settings.argumentsLimit;
  try {
    if (proc === 'URLENCODED') {
      for (const [k, v] of parseUrlEncoded(body, limit)) addArg(tx, 'ARGS_POST', k, v);
    } else if (proc === 'JSON') {
      for (const [k, v] of parseJsonBody(body, tx.ruleset.settings.jsonDepthLimit).slice(0, limit)) addArg(tx, 'ARGS_POST', k, v);
    } else if (proc === 'XML') {
      tx.xml = parseXml(body);
    } else if (proc === 'MULTIPART') {
      const ct = tx.collection('REQUEST_HEADERS')?.first('content-type') ?? '';
      const r = parseMultipart(body, ct);
      let combined = 0;
      for (const p of r.parts) {
        for (const line of p.headerLines) tx.col('MULTIPART_PART_HEADERS').add(p.name, line);
        if (p.filename !== undefined) {
          tx.col('FILES').add(p.name, p.filename);
          tx.col('FILES_NAMES').add(p.name, p.name);
          tx.col('FILES_SIZES').add(p.name, String(p.value.length));
          tx.col('FILES_TMP_CONTENT').add(p.name, p.value);
          tx.single.set('MULTIPART_FILENAME', p.filename);
          combined += p.value.length;
        } else {
          addArg(tx, 'ARGS_POST', p.name, p.value);
        }
        tx.single.set('MULTIPART_NAME', p.name);
      }
      tx.single.set('FILES_COMBINED_SIZE', String(combined));
      const f = r.flags;
      const flag = (n: string, v: boolean): void => { tx.single.set('MULTIPART_' + n, v ? '1' : '0'); };
      for (const [k, v] of Object.entries(f)) flag(k, v);
      flag('SEMICOLON_MISSING', f.MISSING_SEMICOLON);
      flag('STRICT_ERROR', r.strictError);
      if (r.error) setError(tx, r.error);
    }
  } catch (e) {
    setError(tx, `${proc ?? 'body'} parsing error: ${(e as Error).message}`);
  }
}

export function populateResponseHeaders(tx: Transaction, status: number, headers: Array<[string, string]>, protocol: string): void {
  tx.single.set('RESPONSE_STATUS', String(status));
  tx.single.set('RESPONSE_PROTOCOL', protocol);
  tx.single.set('STATUS_LINE', `${protocol} ${status}`);
  const col = tx.col('RESPONSE_HEADERS');
  for (const [n, v] of headers) {
    col.add(bytes(n), bytes(v));
    const ln = n.toLowerCase();
    if (ln === 'content-type') { tx.responseContentType = v; tx.single.set('RESPONSE_CONTENT_TYPE', v); }
    if (ln === 'content-length') tx.single.set('RESPONSE_CONTENT_LENGTH', v);
  }
}
