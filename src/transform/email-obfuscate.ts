/**
 * Email address obfuscation: a streaming HTML rewriter. Addresses in text become
 * `<span data-rampart-email="HEX">[email&#160;protected]</span>` and `href="mailto:…"` on `<a>`/`<area>` becomes
 * `href="/.rampart/email-protection#HEX"`; the decoder script (email-decoder.ts, loaded once per page from
 * `/.rampart/email-decode.js`, inserted just before the first rewritten address) puts the real text and the real
 * mailto: link back in the browser. HEX is the address's bytes XORed with a random key byte, key first, in hex
 * (Cloudflare's scheme): harvesters that read HTML source see no address.
 *
 * The rewriter never buffers the page: it keeps only what a chunk boundary may split — a tag not yet closed
 * (≤ 64 KiB, then passed through), the tail of a text run that may still grow into an address (≤ 320 bytes), a
 * possible end tag of a raw-text element (a few bytes). It works on bytes as latin1 strings, so any
 * ASCII-compatible charset (UTF-8, ISO-8859-x, windows-125x) passes through byte for byte.
 *
 * Left alone: comments, `<!DOCTYPE>`/`<![CDATA[`/`<?…>`, the content of script, style, textarea, title, xmp,
 * iframe, noembed, noframes, noscript and plaintext, `<option>` text, SVG and MathML content (a span would break
 * out of foreign content), every attribute except `href="mailto:…"` on `<a>`/`<area>`. After a
 * `<meta http-equiv="Content-Security-Policy">` that would block the decoder, nothing more is rewritten.
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { cspAllowsDecoder } from './csp.ts';

/** Where the edge serves the decoder script. */
export const DECODER_PATH = '/.rampart/email-decode.js';
/** Where an obfuscated mailto: link points until the decoder ran (the edge serves a page that decodes the hash). */
export const PROTECTION_PATH = '/.rampart/email-protection';
/** The attribute carrying an encoded address in text. */
export const EMAIL_ATTR = 'data-rampart-email';

export interface EmailObfuscatorOptions {
  /** A random byte (0-255) per address: the XOR key. */
  readonly keyByte: () => number;
  /** The page's host, to judge host sources of a `<meta>` Content-Security-Policy. */
  readonly host: string;
  /** Nonce the decoder's script tag must carry (from the response's CSP header). */
  readonly nonce?: string | undefined;
}

const MAX_TAG = 64 * 1024;
/** Longest address we look for: 64 (local part) + 1 + 255 (domain). */
const MAX_ADDRESS = 320;

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);

const S_TEXT = 0, S_TAG = 1, S_COMMENT = 2, S_BOGUS = 3, S_RAW = 4, S_PLAIN = 5;

function hex2(n: number): string { return (n < 16 ? '0' : '') + n.toString(16); }

/** Encode an address (a latin1 string of its bytes) with key byte `key`: key, then each byte XOR key, in hex. */
export function encodeEmail(bytes: string, key: number): string {
  const k = key & 0xff;
  let out = hex2(k);
  for (let i = 0; i < bytes.length; i++) out += hex2((bytes.charCodeAt(i) & 0xff) ^ k);
  return out;
}

/** The inverse of encodeEmail, as UTF-8 text (what the browser's decoder shows). */
export function decodeEmail(hex: string): string {
  const k = parseInt(hex.slice(0, 2), 16);
  const b = Buffer.alloc(Math.max(0, (hex.length >> 1) - 1));
  for (let i = 2, j = 0; i + 1 < hex.length; i += 2, j++) b[j] = parseInt(hex.slice(i, i + 2), 16) ^ k;
  return b.toString('utf8');
}

function isAlpha(c: number): boolean { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122); }
function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isSpace(c: number): boolean { return c === 32 || c === 9 || c === 10 || c === 12 || c === 13; }
/** Local-part characters we accept in text (a conservative subset of RFC 5322 atext, plus dots). */
function isLocal(c: number): boolean { return isAlpha(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; }
function isDomain(c: number): boolean { return isAlpha(c) || isDigit(c) || c === 46 || c === 45; }
function isAddressChar(c: number): boolean { return isLocal(c) || c === 64; }

function validDomain(d: string): boolean {
  const labels = d.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (l === '' || l.length > 63 || l.startsWith('-') || l.endsWith('-')) return false;
  const tld = labels[labels.length - 1]!;
  return /^[A-Za-z]{2,63}$/.test(tld) || /^xn--[A-Za-z0-9-]+$/i.test(tld);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decode the character references that matter in an href (numeric, and the few named ones); UTF-8 bytes as latin1. */
function decodeRefs(v: string): string {
  if (!v.includes('&')) return v;
  return v.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});?/g, (m, ref: string) => {
    let ch: string | undefined;
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (cp > 0 && cp <= 0x10ffff) ch = String.fromCodePoint(cp);
    } else ch = NAMED[ref.toLowerCase()];
    return ch === undefined ? m : Buffer.from(ch, 'utf8').toString('latin1');
  });
}

interface Attr { readonly name: string; readonly start: number; readonly end: number }

/** Attributes of a complete start tag (`<name …>`): name (lower case) and the value's [start, end) in the tag. */
export function parseAttributes(tag: string): Attr[] {
  const out: Attr[] = [];
  const n = tag.length;
  let i = 1;
  while (i < n && !isSpace(tag.charCodeAt(i)) && tag[i] !== '/' && tag[i] !== '>') i++;
  for (;;) {
    while (i < n && (isSpace(tag.charCodeAt(i)) || tag[i] === '/')) i++;
    if (i >= n || tag[i] === '>') break;
    const ns = i;
    i++; // a name may start with '='
    while (i < n && !isSpace(tag.charCodeAt(i)) && tag[i] !== '/' && tag[i] !== '>' && tag[i] !== '=') i++;
    const name = tag.slice(ns, i).toLowerCase();
    let j = i;
    while (j < n && isSpace(tag.charCodeAt(j))) j++;
    if (tag[j] !== '=') { out.push({ name, start: i, end: i }); continue; }
    j++;
    while (j < n && isSpace(tag.charCodeAt(j))) j++;
    const q = tag[j];
    if (q === '"' || q === "'") {
      const close = tag.indexOf(q, j + 1);
      const end = close < 0 ? n : close;
      out.push({ name, start: j + 1, end });
      i = close < 0 ? n : close + 1;
    } else {
      let e = j;
      while (e < n && !isSpace(tag.charCodeAt(e)) && tag[e] !== '>') e++;
      out.push({ name, start: j, end: e });
      i = e;
    }
  }
  return out;
}

function attr(tag: string, attrs: readonly Attr[], name: string): string | undefined {
  const a = attrs.find((x) => x.name === name); // the first occurrence wins, as in browsers
  return a === undefined ? undefined : tag.slice(a.start, a.end);
}

/**
 * The rewriter. `write` takes the next bytes (a latin1 string) and returns what can be sent now; `end` returns
 * the rest. Pure and synchronous: the stream wrapper is createEmailObfuscator().
 */
export class EmailRewriter {
  readonly #o: EmailObfuscatorOptions;
  #state = S_TEXT;
  /** Unprocessed bytes kept for the next write (text tail, a '<' whose meaning is not known yet, raw-text end). */
  #carry = '';
  #tag = '';
  #tagQuote = 0;
  #tagAfterEq = false;
  #tagPassthrough = false;
  #dashes = 0;
  #rawName = '';
  #skipText = false;
  #foreign = 0;
  #disabled = false;
  #nonce: string | undefined;
  #scriptDone = false;
  /** Addresses rewritten (text and mailto: links). */
  rewritten = 0;

  constructor(o: EmailObfuscatorOptions) {
    this.#o = o;
    this.#nonce = o.nonce;
  }

  write(input: string): string {
    const s = this.#carry === '' ? input : this.#carry + input;
    this.#carry = '';
    return this.#run(s, false);
  }

  end(): string {
    const s = this.#carry;
    this.#carry = '';
    let out = this.#run(s, true);
    if (this.#state === S_TAG) { out += this.#tag; this.#tag = ''; }
    out += this.#carry;
    this.#carry = '';
    return out;
  }

  #run(s: string, final: boolean): string {
    let out = '';
    let i = 0;
    const n = s.length;
    while (i < n) {
      switch (this.#state) {
        case S_TEXT: {
          const lt = s.indexOf('<', i);
          if (lt < 0) {
            let hold = n;
            if (!final && !this.#quietText()) {
              while (hold > i && n - hold < MAX_ADDRESS && isAddressChar(s.charCodeAt(hold - 1))) hold--;
              if (hold > i && n - hold >= MAX_ADDRESS && isAddressChar(s.charCodeAt(hold - 1))) hold = n; // too long to be one address
            }
            out += this.#text(s.slice(i, hold));
            this.#carry = s.slice(hold);
            return out;
          }
          out += this.#text(s.slice(i, lt));
          i = lt;
          if (lt + 1 >= n) { if (final) { out += '<'; return out; } this.#carry = '<'; return out; }
          const c = s.charCodeAt(lt + 1);
          if (isAlpha(c)) { this.#startTag(); this.#state = S_TAG; break; }
          if (c === 47 /* / */) {
            if (lt + 2 >= n) { if (final) { out += '</'; return out; } this.#carry = '</'; return out; }
            if (isAlpha(s.charCodeAt(lt + 2))) { this.#startTag(); this.#state = S_TAG; break; }
            out += '</'; i = lt + 2; this.#state = S_BOGUS; break;
          }
          if (c === 33 /* ! */) {
            if (lt + 4 > n && !final && '<!--'.startsWith(s.slice(lt))) { this.#carry = s.slice(lt); return out; }
            if (s.startsWith('<!--', lt)) { out += '<!--'; i = lt + 4; this.#dashes = 2; this.#state = S_COMMENT; break; }
            out += '<!'; i = lt + 2; this.#state = S_BOGUS; break;
          }
          if (c === 63 /* ? */) { out += '<?'; i = lt + 2; this.#state = S_BOGUS; break; }
          out += '<'; i = lt + 1; // a '<' that starts nothing is text
          break;
        }
        case S_TAG: {
          const j = this.#scanTag(s, i);
          const done = j < n;
          const piece = s.slice(i, done ? j + 1 : n);
          if (this.#tagPassthrough) out += piece;
          else {
            this.#tag += piece;
            if (!done && this.#tag.length > MAX_TAG) { out += this.#tag; this.#tag = ''; this.#tagPassthrough = true; }
          }
          if (!done) return out;
          i = j + 1;
          out += this.#endTag();
          break;
        }
        case S_COMMENT: {
          const gt = s.indexOf('>', i);
          const stop = gt < 0 ? n : gt;
          let d = 0;
          while (stop - d > i && s.charCodeAt(stop - d - 1) === 45) d++;
          const dashes = stop - d === i ? this.#dashes + d : d;
          if (gt < 0) { out += s.slice(i); this.#dashes = dashes; return out; }
          out += s.slice(i, gt + 1);
          i = gt + 1;
          if (dashes >= 2) this.#state = S_TEXT; else this.#dashes = 0;
          break;
        }
        case S_BOGUS: {
          const gt = s.indexOf('>', i);
          if (gt < 0) { out += s.slice(i); return out; }
          out += s.slice(i, gt + 1);
          i = gt + 1;
          this.#state = S_TEXT;
          break;
        }
        case S_RAW: {
          const name = this.#rawName;
          let from = i;
          for (;;) {
            const e = s.indexOf('</', from);
            if (e < 0) {
              const keep = !final && s.endsWith('<') ? 1 : 0;
              out += s.slice(i, n - keep);
              this.#carry = s.slice(n - keep);
              return out;
            }
            if (e + 2 + name.length >= n && !final) { out += s.slice(i, e); this.#carry = s.slice(e); return out; }
            const after = s.charCodeAt(e + 2 + name.length);
            if (s.slice(e + 2, e + 2 + name.length).toLowerCase() === name && (isSpace(after) || after === 47 || after === 62 || Number.isNaN(after))) {
              out += s.slice(i, e);
              i = e;
              this.#state = S_TEXT;
              break;
            }
            from = e + 2;
          }
          break;
        }
        default: // S_PLAIN: the rest of the document is text that is never parsed again
          out += s.slice(i);
          return out;
      }
    }
    return out;
  }

  /** Text that is never rewritten (inside option, SVG/MathML, or after a blocking meta CSP). */
  #quietText(): boolean { return this.#skipText || this.#foreign > 0 || this.#disabled; }

  #startTag(): void {
    this.#tag = '';
    this.#tagQuote = 0;
    this.#tagAfterEq = false;
    this.#tagPassthrough = false;
  }

  /** Index of the '>' that closes the tag (quotes of attribute values respected), or s.length. */
  #scanTag(s: string, from: number): number {
    let q = this.#tagQuote;
    let afterEq = this.#tagAfterEq;
    let i = from;
    // the first char is the '<' itself when the tag starts in this piece
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (q !== 0) { if (c === q) q = 0; continue; }
      if (c === 62 /* > */) break;
      if (c === 61 /* = */) { afterEq = true; continue; }
      if (afterEq) {
        if (isSpace(c)) continue;
        afterEq = false;
        if (c === 34 || c === 39) q = c;
      }
    }
    this.#tagQuote = q;
    this.#tagAfterEq = afterEq;
    return i;
  }

  /** A complete tag is in #tag (or was passed through): rewrite it if needed and switch state. */
  #endTag(): string {
    const tag = this.#tag;
    this.#tag = '';
    this.#state = S_TEXT;
    if (this.#tagPassthrough) { this.#tagPassthrough = false; return ''; }
    const end = tag[1] === '/';
    let k = end ? 2 : 1;
    while (k < tag.length && !isSpace(tag.charCodeAt(k)) && tag[k] !== '/' && tag[k] !== '>') k++;
    const name = tag.slice(end ? 2 : 1, k).toLowerCase();
    this.#skipText = false;
    if (end) {
      if ((name === 'svg' || name === 'math') && this.#foreign > 0) this.#foreign--;
      return tag;
    }
    const selfClosing = tag.endsWith('/>');
    if (name === 'svg' || name === 'math') { if (!selfClosing) this.#foreign++; return tag; }
    if (this.#foreign > 0) return tag;
    if (RAW_TEXT.has(name)) { this.#state = S_RAW; this.#rawName = name; return tag; }
    if (name === 'plaintext') { this.#state = S_PLAIN; return tag; }
    if (name === 'option' || name === 'optgroup') { this.#skipText = true; return tag; }
    if (name === 'meta') { this.#meta(tag); return tag; }
    if ((name === 'a' || name === 'area') && !this.#disabled) return this.#mailto(tag);
    return tag;
  }

  #meta(tag: string): void {
    const attrs = parseAttributes(tag);
    if (attr(tag, attrs, 'http-equiv')?.trim().toLowerCase() !== 'content-security-policy') return;
    const v = cspAllowsDecoder([decodeRefs(attr(tag, attrs, 'content') ?? '')], this.#o.host);
    if (!v.ok || (v.nonce !== undefined && this.#nonce !== undefined && v.nonce !== this.#nonce) || (v.nonce !== undefined && this.#scriptDone)) {
      this.#disabled = true;
      return;
    }
    if (v.nonce !== undefined) this.#nonce = v.nonce;
  }

  #mailto(tag: string): string {
    const attrs = parseAttributes(tag);
    const href = attrs.find((a) => a.name === 'href');
    if (href === undefined) return tag;
    const value = decodeRefs(tag.slice(href.start, href.end)).trim();
    if (!/^mailto:/i.test(value) || value.length <= 7) return tag;
    this.rewritten++;
    const encoded = `${PROTECTION_PATH}#${encodeEmail(value.slice(7), this.#o.keyByte())}`;
    const quoted = href.start > 0 && (tag[href.start - 1] === '"' || tag[href.start - 1] === "'");
    const rewritten = tag.slice(0, href.start) + (quoted ? encoded : `"${encoded}"`) + tag.slice(href.end);
    return this.#script() + rewritten;
  }

  #script(): string {
    if (this.#scriptDone) return '';
    this.#scriptDone = true;
    return `<script src="${DECODER_PATH}" defer="defer"${this.#nonce === undefined ? '' : ` nonce="${this.#nonce}"`}></script>`;
  }

  /** Rewrite the addresses of a complete text run. */
  #text(seg: string): string {
    if (seg === '' || this.#quietText()) return seg;
    let at = seg.indexOf('@');
    if (at < 0) return seg;
    let out = '';
    let last = 0;
    const n = seg.length;
    while (at >= 0) {
      let ls = at;
      while (ls > last && at - ls < 64 && isLocal(seg.charCodeAt(ls - 1))) ls--;
      while (ls < at && seg.charCodeAt(ls) === 46) ls++;
      let de = at + 1;
      while (de < n && de - at <= 255 && isDomain(seg.charCodeAt(de))) de++;
      while (de > at + 1 && (seg.charCodeAt(de - 1) === 46 || seg.charCodeAt(de - 1) === 45)) de--;
      if (ls < at && seg.charCodeAt(at - 1) !== 46 && validDomain(seg.slice(at + 1, de))) {
        this.rewritten++;
        out += seg.slice(last, ls) + this.#script() + `<span ${EMAIL_ATTR}="${encodeEmail(seg.slice(ls, de), this.#o.keyByte())}">[email&#160;protected]</span>`;
        last = de;
        at = seg.indexOf('@', de);
      } else at = seg.indexOf('@', at + 1);
    }
    return out + seg.slice(last);
  }
}

/** The rewriter as a stream of bytes (Buffers in, Buffers out). `onDone` gets the number of addresses rewritten. */
export function createEmailObfuscator(o: EmailObfuscatorOptions, onDone?: (rewritten: number) => void): Transform {
  const r = new EmailRewriter(o);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      const out = r.write(chunk.toString('latin1'));
      cb(null, out === '' ? undefined : Buffer.from(out, 'latin1'));
    },
    flush(cb: TransformCallback): void {
      const out = r.end();
      onDone?.(r.rewritten);
      cb(null, out === '' ? undefined : Buffer.from(out, 'latin1'));
    },
  });
}
