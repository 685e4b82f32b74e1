/**
 * RFC 1035 §5.1 master-file lexer: splits the text into logical entries (parentheses join physical lines),
 * drops comments (keeping the last one of an entry), and decodes quoted strings (\" \\ \DDD escapes).
 */

export interface ZoneToken {
  /** The token's text; for a quoted string, the decoded bytes as latin1-free UTF-8 text are in `bytes`. */
  text: string;
  quoted: boolean;
  bytes: Buffer;
  line: number;
  column: number;
}

export interface ZoneEntry {
  tokens: ZoneToken[];
  /** The entry's first physical line began with a blank: the owner is the previous one. */
  blankOwner: boolean;
  /** The text of the last comment on the entry's lines, trimmed. */
  comment: string;
  line: number;
}

/** A zone file syntax or content error, with the 1-based line and column. */
export class ZoneFileError extends Error {
  readonly code = 'dns.zone_file';
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'ZoneFileError';
    this.line = line;
    this.column = column;
  }
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

export function lexZoneFile(text: string): ZoneEntry[] {
  const entries: ZoneEntry[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  let depth = 0;
  let parenLine = 0;
  let parenCol = 0;
  let cur: ZoneEntry | undefined;
  let atLineStart = true;

  const flush = (): void => {
    if (cur && cur.tokens.length > 0) entries.push(cur);
    cur = undefined;
  };
  const entry = (): ZoneEntry => {
    cur ??= { tokens: [], blankOwner: false, comment: '', line };
    return cur;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (atLineStart) {
      atLineStart = false;
      if (isBlank(c)) entry().blankOwner = true;
    }
    if (c === '\n') {
      if (depth === 0) flush();
      i++; line++; col = 1; atLineStart = depth === 0;
      continue;
    }
    if (isBlank(c)) { i++; col++; continue; }
    if (c === ';') {
      let j = i;
      while (j < text.length && text[j] !== '\n') j++;
      const comment = text.slice(i + 1, j).trim();
      if (cur) cur.comment = comment;
      col += j - i; i = j;
      continue;
    }
    if (c === '(') {
      if (depth === 0) { parenLine = line; parenCol = col; }
      depth++; entry(); i++; col++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw new ZoneFileError("')' without '('", line, col);
      depth--; i++; col++;
      continue;
    }
    const startLine = line;
    const startCol = col;
    if (c === '"') {
      const bytes: number[] = [];
      i++; col++;
      for (;;) {
        if (i >= text.length) throw new ZoneFileError('unterminated quoted string', startLine, startCol);
        const d = text[i] as string;
        if (d === '"') { i++; col++; break; }
        if (d === '\\') {
          const e = text[i + 1];
          if (e === undefined) throw new ZoneFileError('unterminated quoted string', startLine, startCol);
          if (/[0-9]/.test(e)) {
            const digits = text.slice(i + 1, i + 4);
            if (!/^[0-9]{3}$/.test(digits) || Number(digits) > 255) throw new ZoneFileError(`bad escape \\${digits}`, line, col);
            bytes.push(Number(digits));
            i += 4; col += 4;
            continue;
          }
          bytes.push(...Buffer.from(e, 'utf8'));
          if (e === '\n') { line++; col = 1; } else col += 2;
          i += 2;
          continue;
        }
        if (d === '\n') { line++; col = 0; }
        const cp = text.codePointAt(i) ?? 0;
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, 'utf8'));
        i += ch.length; col++;
      }
      const b = Buffer.from(bytes);
      entry().tokens.push({ text: b.toString('utf8'), quoted: true, bytes: b, line: startLine, column: startCol });
      continue;
    }
    let j = i;
    while (j < text.length) {
      const d = text[j] as string;
      if (d === '\\' && j + 1 < text.length && text[j + 1] !== '\n') { j += 2; continue; }
      if (isBlank(d) || d === '\n' || d === ';' || d === '(' || d === ')' || d === '"') break;
      j++;
    }
    const raw = text.slice(i, j);
    entry().tokens.push({ text: raw, quoted: false, bytes: Buffer.from(raw, 'utf8'), line: startLine, column: startCol });
    col += j - i; i = j;
  }
  if (depth > 0) throw new ZoneFileError("'(' not closed", parenLine, parenCol);
  flush();
  return entries;
}
