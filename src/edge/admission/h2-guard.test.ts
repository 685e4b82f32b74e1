/** The HTTP/2 guard on a real (cleartext, loopback) session: rapid reset → GOAWAY(ENHANCE_YOUR_CALM) and one h2_abuse report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, constants, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../lib/clock.ts';
import { Admission } from './admission.ts';
import type { AbuseKind, AdmissionReason } from './admission.ts';

test('rapid reset on a real session: GOAWAY(ENHANCE_YOUR_CALM), one reason, one h2_abuse report for the IP', async () => {
  const refused: AdmissionReason[] = [];
  const abuse: Array<[string, AbuseKind]> = [];
  const adm = new Admission({
    limits: { max_connections_per_ip: 10, new_connections_per_ip_per_second: 10, new_connections_per_ip_burst: 10, max_connections: 10, reserved_connections: 0, h2_max_rst_per_second: 10, h2_max_pings_per_second: 10, h2_max_settings_per_second: 10 },
    clock: systemClock, onRefused: (r) => refused.push(r), onAbuse: (ip, k) => abuse.push([ip, k]),
  });
  const srv = createServer();
  srv.on('session', (s) => adm.guardSession(s));
  srv.on('stream', (st) => { st.on('error', () => {}); st.respond({ ':status': 200 }); st.end('ok'); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const c = connect(`http://127.0.0.1:${port}`);
  c.on('error', () => {});
  const codes: number[] = [];
  c.on('goaway', (code: number) => codes.push(code));
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  await new Promise<void>((r) => c.once('connect', () => r()));
  for (let i = 0; i < 40 && !c.closed && !c.destroyed; i++) {
    const st = c.request({ ':path': '/' });
    st.on('error', () => {});
    st.close(constants.NGHTTP2_CANCEL);
  }
  await closed;
  await new Promise<void>((r) => srv.close(() => r()));
  assert.ok(codes.includes(constants.NGHTTP2_ENHANCE_YOUR_CALM), `GOAWAY codes ${codes.join(',')}`);
  assert.deepEqual(refused, ['h2_rapid_reset']);
  assert.deepEqual(abuse, [['127.0.0.1', 'h2_abuse']]);
});
