/** A zone's own secondaries (settings.secondaries): NOTIFY on every change, and only they may transfer it (AXFR). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import { startTestNode } from '../helpers/node.ts';
import type { TestNode } from '../helpers/node.ts';

const run = promisify(execFile);
let node: TestNode;
let secondary: Socket;
let notifyPort = 0;
const notifies: Array<{ zone: string; opcode: number }> = [];

before(async () => {
  secondary = createSocket('udp4');
  secondary.on('message', (m, r) => {
    const p = dnsPacket.decode(m);
    notifies.push({ zone: p.questions?.[0]?.name ?? '', opcode: ((p.flags ?? 0) >> 11) & 0xf });
    // acknowledge like a secondary does
    secondary.send(dnsPacket.encode({ type: 'response', id: p.id ?? 0, flags: (4 << 11) | dnsPacket.AUTHORITATIVE_ANSWER, questions: p.questions ?? [] }), r.port, r.address);
  });
  await new Promise<void>((r) => secondary.bind(0, '127.0.0.1', r));
  notifyPort = secondary.address().port;
  node = await startTestNode();
});
after(async () => { await node.stop(); secondary.close(); });

test('NOTIFY reaches the secondary on a change; it may transfer the zone; another address may not', async () => {
  const z = await node.addZone('second.test', ['127.0.0.1:9'], { settings: { secondaries: [`127.0.0.1:${notifyPort}`] } });
  assert.equal((await node.api('POST', `/client/v4/zones/${z.id}/dns_records`, { type: 'A', name: 'www', content: '192.0.2.7', ttl: 300 })).status, 200);
  for (let i = 0; i < 100 && !notifies.some((n) => n.zone === 'second.test'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(notifies.some((n) => n.zone === 'second.test' && n.opcode === 4 /* NOTIFY */), JSON.stringify(notifies));
  const ok = await run('dig', ['+tcp', '+time=2', '+tries=1', '-p', String(node.dnsPort), '@127.0.0.1', 'second.test', 'AXFR']);
  assert.match(ok.stdout, /www\.second\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.7/);
  const refused = await run('dig', ['+tcp', '+time=2', '+tries=1', '-b', '127.0.0.2', '-p', String(node.dnsPort), '@127.0.0.1', 'second.test', 'AXFR']);
  assert.doesNotMatch(refused.stdout, /192\.0\.2\.7/);
  assert.match(refused.stdout, /Transfer failed|REFUSED/);
  const bad = await node.api('PATCH', `/client/v4/zones/${z.id}/settings`, { secondaries: ['not an address'] });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.json.errors), /secondaries/);
});
