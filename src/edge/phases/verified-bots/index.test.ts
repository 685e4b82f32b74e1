import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../../state/memory/memory-key-value-store.ts';
import { BotVerifier, VERIFIED_BOT_NOTE } from '../../../mitigation/bots/index.ts';
import type { BotResolver } from '../../../mitigation/bots/index.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { createVerifiedBotsPhase } from './index.ts';

function ctx(ip: string, ua: string, skip: string[] = []): RequestContext {
  const notes = new Map<string, unknown>();
  const s = new Set(skip);
  return { clientIp: ip, req: { headers: { 'user-agent': ua } }, notes, skips: (w: string) => s.has(w) } as unknown as RequestContext;
}

test('only crawler UAs are looked up; a cached answer is synchronous; skipped zones do no DNS', async () => {
  const lookups: string[] = [];
  const resolver: BotResolver = {
    reverse: async (ip) => { lookups.push(ip); return ip === '66.249.66.1' ? ['crawl.googlebot.com'] : []; },
    resolve4: async () => ['66.249.66.1'], resolve6: async () => [],
  };
  const clock = new ManualClock();
  const phase = createVerifiedBotsPhase(new BotVerifier({ kv: new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 }), clock, resolver }));
  const browser = ctx('66.249.66.1', 'Mozilla/5.0 Firefox/140');
  assert.deepEqual(phase.onRequest!(browser), { kind: 'continue' });
  assert.equal(lookups.length, 0);
  const bot = ctx('66.249.66.1', 'Googlebot/2.1');
  const v = phase.onRequest!(bot);
  assert.ok(v instanceof Promise);
  assert.deepEqual(await v, { kind: 'continue' });
  assert.equal(bot.notes.get(VERIFIED_BOT_NOTE), true);
  const again = ctx('66.249.66.1', 'Googlebot/2.1');
  assert.deepEqual(phase.onRequest!(again), { kind: 'continue' }, 'synchronous from the cache');
  assert.equal(again.notes.get(VERIFIED_BOT_NOTE), true);
  const fake = ctx('203.0.113.5', 'Googlebot/2.1');
  await phase.onRequest!(fake);
  assert.equal(fake.notes.has(VERIFIED_BOT_NOTE), false);
  const paused = ctx('198.51.100.1', 'Googlebot/2.1', ['firewall_rules', 'challenge']);
  assert.deepEqual(phase.onRequest!(paused), { kind: 'continue' });
  assert.deepEqual(lookups, ['66.249.66.1', '203.0.113.5']);
});
