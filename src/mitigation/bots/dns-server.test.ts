/** FCrDNS against our own authoritative DNS server (src/dns) through node:dns with setServers. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildDnsSnapshot, startDnsServer } from '../../dns/index.ts';
import type { DnsServer } from '../../dns/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../state/memory/memory-key-value-store.ts';
import { BotVerifier, createBotResolver } from './index.ts';
import { crawlerDnsZones } from './test-zones.ts';

let dns: DnsServer;
before(async () => {
  const snap = buildDnsSnapshot(crawlerDnsZones({ good: '127.0.9.5', forged: '127.0.9.6' }), { edgeIPv4: ['127.0.0.1'], edgeIPv6: [] });
  dns = await startDnsServer({ host: '127.0.0.1', port: 0, getSnapshot: () => snap });
});
after(async () => { await dns.close(); });

test('a real resolver: the good address verifies, the forged PTR does not', async () => {
  const clock = new ManualClock();
  const v = new BotVerifier({ kv: new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 }), clock, resolver: createBotResolver([`127.0.0.1:${dns.udpPort}`]) });
  assert.equal(await v.lookup('127.0.9.5'), 'verified');
  assert.equal(await v.lookup('127.0.9.6'), 'forward_mismatch');
  assert.equal(await v.lookup('127.0.9.7'), 'no_ptr');
});
