/**
 * multipart/form-data parser with the strict checks the CRS and the recommended config rely on
 * (MULTIPART_STRICT_ERROR and the individual MULTIPART_* flags, as in ModSecurity).
 */
export interface MultipartPart {
  name: string;
  filename: string | undefined;
  headers: Array<[string, string]>;
  /** raw header lines, e.g. `Content-Disposition: form-data; name="a"` */
  headerLines: string[];
  value: string;
}

export interface MultipartFlags {
  BOUNDARY_QUOTED: boolean; BOUNDARY_WHITESPACE: boolean; DATA_BEFORE: boolean; DATA_AFTER: boolean;
  HEADER_FOLDING: boolean; LF_LINE: boolean; CRLF_LF_LINES: boolean; MISSING_SEMICOLON: boolean;
  INVALID_QUOTING: boolean; INVALID_PART: boolean; INVALID_HEADER_FOLDING: boolean; FILE_LIMIT_EXCEEDED: boolean;
  UNMATCHED_BOUNDARY: boolean;
}

export interface MultipartResult { parts: MultipartPart[]; flags: MultipartFlags; error: string | undefined; strictError: boolean }

export function boundaryOf(contentType: string): { boundary: string | undefined; quoted: boolean; whitespace: boolean } {
  const m = /boundary\s*=\s*("([^"]*)"|([^;,]*))/i.exec(contentType);
  if (!m) return { boundary: undefined, quoted: false, whitespace: false };
  const quoted = m[2] !== undefined;
  const raw = (m[2] ?? m[3] ?? '');
  const whitespace = /\s/.test(raw) || /boundary\s+=|=\s+/i.test(m[0]);
  return { boundary: raw.trim(), quoted, whitespace };
}

function parseDisposition(v: string, flags: MultipartFlags): { name?: string; filename?: string } {
  const out: { name?: string; filename?: string } = {};
  if (!/^\s*form-data\s*(;|$)/i.test(v)) { flags.INVALID_PART = true; }
  const rest = v.replace(/^\s*form-data\s*/i, '');
  if (rest !== '' && !rest.startsWith(';')) flags.MISSING_SEMICOLON = true;
  const re = /;?\s*([a-zA-Z*]+)\s*=\s*("((?:\\.|[^"\\])*)"|'([^']*)'|([^;\s]*))/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    const key = (m[1] ?? '').toLowerCase();
    let val = m[3] ?? m[4] ?? m[5] ?? '';
    if (m[4] !== undefined) flags.INVALID_QUOTING = true;
    if (m[3] !== undefined) val = val.replace(/\\(["\\])/g, '$1');
    if (m[3] === undefined && /["']/.test(val)) flags.INVALID_QUOTING = true;
    if (key === 'name') out.name = val;
    else if (key === 'filename' || key === 'filename*') out.filename = val;
  }
  return out;
}

export function parseMultipart(body: string, contentType: string, fileLimit = 100): MultipartResult {
  const flags: MultipartFlags = {
    BOUNDARY_QUOTED: false, BOUNDARY_WHITESPACE: false, DATA_BEFORE: false, DATA_AFTER: false, HEADER_FOLDING: false,
    LF_LINE: false, CRLF_LF_LINES: false, MISSING_SEMICOLON: false, INVALID_QUOTING: false, INVALID_PART: false,
    INVALID_HEADER_FOLDING: false, FILE_LIMIT_EXCEEDED: false, UNMATCHED_BOUNDARY: false,
  };
  const parts: MultipartPart[] = [];
  const b = boundaryOf(contentType);
  flags.BOUNDARY_QUOTED = b.quoted;
  flags.BOUNDARY_WHITESPACE = b.whitespace;
  const done = (error: string | undefined): MultipartResult => ({
    parts, flags, error, strictError: error !== undefined || Object.values(flags).some(Boolean),
  });
  if (!b.boundary) return done('multipart: no boundary in Content-Type');
  const delim = '--' + b.boundary;
  const first = body.indexOf(delim);
  if (first < 0) return done('multipart: boundary not found');
  if (first > 0) {
    const before = body.slice(0, first);
    if (before.trim() !== '') flags.DATA_BEFORE = true;
  }
  let pos = first;
  let closed = false;
  let crlf = 0;
  let lf = 0;
  let files = 0;
  while (pos < body.length) {
    // at a delimiter
    let after = pos + delim.length;
    if (body.startsWith('--', after)) {
      closed = true;
      const rest = body.slice(after + 2);
      if (rest.replace(/^\r?\n/, '').length > 0 && rest.trim() !== '') flags.DATA_AFTER = true;
      break;
    }
    // skip transport padding and the line end
    while (body[after] === ' ' || body[after] === '\t') after++;
    if (body.startsWith('\r\n', after)) { after += 2; crlf++; } else if (body[after] === '\n') { after += 1; lf++; } else { flags.INVALID_PART = true; }
    // headers
    const headers: Array<[string, string]> = [];
    const headerLines: string[] = [];
    let p = after;
    for (;;) {
      const nl = body.indexOf('\n', p);
      if (nl < 0) return done('multipart: unexpected end of headers');
      const isCrlf = nl > p && body[nl - 1] === '\r';
      if (isCrlf) crlf++; else lf++;
      const line = body.slice(p, isCrlf ? nl - 1 : nl);
      p = nl + 1;
      if (line === '') break;
      if (/^[ \t]/.test(line)) {
        flags.HEADER_FOLDING = true;
        const last = headers[headers.length - 1];
        if (!last) { flags.INVALID_HEADER_FOLDING = true; continue; }
        last[1] += ' ' + line.trim();
        headerLines[headerLines.length - 1] += line;
        continue;
      }
      const c = line.indexOf(':');
      if (c <= 0) { flags.INVALID_PART = true; continue; }
      headers.push([line.slice(0, c).trim(), line.slice(c + 1).trim()]);
      headerLines.push(line);
    }
    const next = body.indexOf(delim, p);
    let dataEnd = next < 0 ? body.length : next;
    if (next >= 0) {
      if (body.startsWith('\r\n', dataEnd - 2)) dataEnd -= 2;
      else if (body[dataEnd - 1] === '\n') { dataEnd -= 1; lf++; }
    }
    const value = body.slice(p, dataEnd);
    // a line that looks like a boundary but is not ours
    if (/(^|\n)--[^\r\n]{8,}/.test(value) && !value.includes(delim)) {
      const m = /(^|\n)(--[^\r\n]+)/.exec(value);
      if (m && (m[2] ?? '').length >= delim.length - 2 && (m[2] ?? '').startsWith(delim.slice(0, Math.min(delim.length, 10)))) flags.UNMATCHED_BOUNDARY = true;
    }
    const disp = headers.find(([k]) => k.toLowerCase() === 'content-disposition');
    let name = '';
    let filename: string | undefined;
    if (!disp) flags.INVALID_PART = true;
    else {
      const d = parseDisposition(disp[1], flags);
      if (d.name === undefined) flags.INVALID_PART = true;
      name = d.name ?? '';
      filename = d.filename;
    }
    if (filename !== undefined) {
      files++;
      if (files > fileLimit) flags.FILE_LIMIT_EXCEEDED = true;
    }
    parts.push({ name, filename, headers, headerLines, value });
    if (next < 0) break;
    pos = next;
  }
  if (crlf > 0 && lf > 0) flags.CRLF_LF_LINES = true;
  if (lf > 0) flags.LF_LINE = true;
  if (!closed) return done('multipart: final boundary missing');
  return done(undefined);
}
