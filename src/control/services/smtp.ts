/**
 * A minimal SMTP client (RFC 5321) over node:net for sending mail through a relay: EHLO (HELO when refused),
 * MAIL FROM, RCPT TO, DATA, QUIT. No TLS and no AUTH: point it at a local relay (`RAMPART_SMTP_URL=smtp://host:port`)
 * that handles onward delivery. The whole exchange has one deadline. The body is sent base64-encoded as UTF-8
 * text/plain, so no line can be mistaken for the end of DATA; addresses and header values with CR or LF are
 * refused (no header injection).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface SmtpMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** More header lines (name → value), e.g. Reply-To. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SmtpOptions {
  /** `smtp://host[:port]` (port 25 by default). */
  readonly url: string;
  /** Deadline of the whole exchange (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** The name we give in EHLO (default `rampart.invalid`). */
  readonly heloName?: string;
  readonly now?: () => Date;
}

export class SmtpError extends Error {
  readonly code = 'smtp.failed';
  /** The server's reply code, or 0 for a connection problem or a timeout. */
  readonly reply: number;
  constructor(message: string, reply = 0) { super(message); this.name = 'SmtpError'; this.reply = reply; }
}

/** Parses `smtp://host:port`; throws TypeError otherwise. */
export function parseSmtpUrl(url: string): { host: string; port: number } {
  let u: URL;
  try { u = new URL(url); } catch { throw new TypeError(`RAMPART_SMTP_URL: "${url}" is not a URL (want smtp://host:port)`); }
  if (u.protocol !== 'smtp:') throw new TypeError(`RAMPART_SMTP_URL: "${u.protocol}" is not supported (want smtp://host:port; no TLS or AUTH: use a local relay)`);
  const port = u.port === '' ? 25 : Number(u.port);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

const ADDRESS = /^[^\s<>()\r\n@,;:"]+@[^\s<>()\r\n@,;:"]+$/;
const noCrLf = (what: string, v: string): string => { if (/[\r\n]/.test(v)) throw new SmtpError(`${what}: contains a line break`); return v; };

/** RFC 2047 encoded-word when the value is not plain ASCII. */
function headerValue(v: string): string {
  noCrLf('header', v);
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

/** The message as sent after DATA (CRLF line ends, base64 body, ending with CRLF.CRLF). */
export function formatMessage(m: SmtpMessage, date: Date, host: string): string {
  const lines = [
    `From: ${noCrLf('from', m.from)}`, `To: ${m.to.map((t) => noCrLf('to', t)).join(', ')}`, `Subject: ${headerValue(m.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`, `Message-ID: <${randomBytes(12).toString('hex')}@${host}>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${noCrLf('header name', k)}: ${headerValue(v)}`),
    '',
    ...(Buffer.from(m.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').match(/.{1,76}/g) ?? []),
  ];
  return lines.map((l) => (l.startsWith('.') ? '.' + l : l)).join('\r\n') + '\r\n.\r\n';
}

/** Reads SMTP replies (multi-line `250-...` until `250 ...`) from a socket, one at a time. */
class ReplyReader {
  #buf = '';
  #lines: string[] = [];
  #waiter: ((r: { code: number; text: string }) => void) | undefined;
  #failer: ((e: Error) => void) | undefined;
  #error: Error | undefined;

  constructor(s: Socket) {
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      this.#buf += c;
      if (this.#buf.length > 64 * 1024) { this.#fail(new SmtpError('the SMTP server sent an over-long reply')); return; }
      let i: number;
      while ((i = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, i).replace(/\r$/, '');
        this.#buf = this.#buf.slice(i + 1);
        this.#lines.push(line);
        if (/^\d{3}(?: |$)/.test(line)) this.#deliver();
      }
    });
    s.on('error', (e) => this.#fail(new SmtpError(`SMTP connection failed: ${e.message}`)));
    s.on('close', () => this.#fail(new SmtpError('the SMTP server closed the connection')));
  }

  #deliver(): void {
    const lines = this.#lines;
    this.#lines = [];
    const code = Number(lines.at(-1)!.slice(0, 3));
    const text = lines.map((l) => l.slice(4)).join(' ');
    this.#pending.push({ code, text });
    this.#flush();
  }

  #pending: Array<{ code: number; text: string }> = [];

  #flush(): void {
    if (this.#waiter && this.#pending.length) {
      const w = this.#waiter;
      this.#waiter = undefined; this.#failer = undefined;
      w(this.#pending.shift()!);
    }
  }

  #fail(e: Error): void {
    this.#error ??= e;
    const f = this.#failer;
    this.#waiter = undefined; this.#failer = undefined;
    f?.(this.#error);
  }

  next(): Promise<{ code: number; text: string }> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length) { resolve(this.#pending.shift()!); return; }
      if (this.#error) { reject(this.#error); return; }
      this.#waiter = resolve; this.#failer = reject;
    });
  }
}

/** Sends one message; resolves with the server's final reply to DATA (`250 ...`), rejects with SmtpError. */
export async function sendMail(m: SmtpMessage, o: SmtpOptions): Promise<string> {
  const { host, port } = parseSmtpUrl(o.url);
  if (!ADDRESS.test(m.from)) throw new SmtpError(`from: "${m.from}" is not an email address`);
  if (m.to.length === 0) throw new SmtpError('to: no recipient');
  for (const t of m.to) if (!ADDRESS.test(t)) throw new SmtpError(`to: "${t}" is not an email address`);
  const helo = o.heloName ?? 'rampart.invalid';
  const data = formatMessage(m, (o.now ?? (() => new Date()))(), helo);
  const socket = connect({ host, port });
  const reader = new ReplyReader(socket);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new SmtpError(`SMTP exchange with ${host}:${port} timed out after ${o.timeoutMs ?? 10_000} ms`)); socket.destroy(); }, o.timeoutMs ?? 10_000);
  });
  const expect = async (ok: (c: number) => boolean, what: string): Promise<string> => {
    const r = await reader.next();
    if (!ok(r.code)) throw new SmtpError(`${what}: ${r.code} ${r.text}`, r.code);
    return `${r.code} ${r.text}`;
  };
  const cmd = (line: string): void => { socket.write(line + '\r\n'); };
  const exchange = async (): Promise<string> => {
    await expect((c) => c === 220, 'greeting');
    cmd(`EHLO ${helo}`);
    const e = await reader.next();
    if (e.code !== 250) {
      cmd(`HELO ${helo}`);
      await expect((c) => c === 250, 'HELO');
    }
    cmd(`MAIL FROM:<${m.from}>`);
    await expect((c) => c === 250, 'MAIL FROM');
    for (const t of m.to) { cmd(`RCPT TO:<${t}>`); await expect((c) => c === 250 || c === 251, `RCPT TO <${t}>`); }
    cmd('DATA');
    await expect((c) => c === 354, 'DATA');
    socket.write(data);
    const done = await expect((c) => c === 250, 'message');
    cmd('QUIT');
    await reader.next().catch(() => undefined); // 221, or the server just closes
    return done;
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
    socket.end();
    socket.destroy();
  }
}
