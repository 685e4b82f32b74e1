/**
 * A tiny SMTP server for tests: records every message (envelope and data); `refuseRcpt` answers 550 to that
 * recipient; `silent` accepts connections and never greets (timeouts). Listens on 127.0.0.1, port 0.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface Received { from: string; to: string[]; data: string }

export async function startTestSmtpServer(opts: { refuseRcpt?: string; silent?: boolean } = {}): Promise<{ url: string; mails: Received[]; close(): Promise<void> }> {
  const mails: Received[] = [];
  const socks = new Set<Socket>();
  const srv: Server = createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
    if (opts.silent) return;
    let buf = '';
    let inData = false;
    let cur: Received = { from: '', to: [], data: '' };
    s.write('220 test.smtp ESMTP ready\r\n');
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; mails.push(cur); cur = { from: '', to: [], data: '' }; s.write('250 2.0.0 Ok: queued as T1\r\n'); }
          else cur.data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          continue;
        }
        const up = line.toUpperCase();
        if (up.startsWith('EHLO')) s.write('250-test.smtp\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (up.startsWith('MAIL FROM:')) { cur.from = line.slice(10).replace(/[<>]/g, ''); s.write('250 2.1.0 Ok\r\n'); }
        else if (up.startsWith('RCPT TO:')) {
          const to = line.slice(8).replace(/[<>]/g, '');
          if (to === opts.refuseRcpt) s.write('550 5.1.1 no such user\r\n'); else { cur.to.push(to); s.write('250 2.1.5 Ok\r\n'); }
        } else if (up === 'DATA') { inData = true; s.write('354 End data with <CR><LF>.<CR><LF>\r\n'); }
        else if (up === 'QUIT') { s.end('221 2.0.0 Bye\r\n'); }
        else s.write('502 5.5.2 Error: command not recognized\r\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(srv.address() as AddressInfo).port}`, mails,
    close: () => new Promise<void>((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }),
  };
}
