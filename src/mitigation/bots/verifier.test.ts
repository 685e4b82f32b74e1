import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.ts';
import { MemoryKeyValueStore } from '../../state/memory/memory-key-value-store.ts';
import { BotVerifier, botResolverFromEnv, claimsCrawler, inCrawlerDomains } from './index.ts';
import type { BotLookupResult, BotResolver } from './index.ts';

function fakeResolver(ptr: Record<string, string[]>, a: Record<string, string[]>, calls: string[] = []): BotResolver {
  const nx = (): Error => Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return {
    reverse: async (ip) => { calls.push(`ptr ${ip}`); const r = ptr[ip]; if (r === undefined) throw nx(); return r; },
    resolve4: async (n) => { calls.push(`a ${n}`); const r = a[n]; if (r === undefined) throw nx(); return r; },
    resolve6: async (n) => { calls.push(`aaaa ${n}`); const r = a[n]; if (r === undefined) throw nx(); return r; },
  };
}

const PTR = {
  '66.249.66.1': ['crawl-66-249-66-1.googlebot.com.'],
  '203.0.113.9': ['crawl-66-249-66-1.googlebot.com'], // forged PTR: the name does not point back
  '198.51.100.7': ['host.example.net'],
  '2001:db8::5': ['bot.search.msn.com'],
};
const A = { 'crawl-66-249-66-1.googlebot.com': ['66.249.66.1'], 'bot.search.msn.com': ['2001:0db8:0000::0005'] };

test('UA filter and domain matching', () => {
  assert.equal(claimsCrawler('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'), true);
  assert.equal(claimsCrawler('Mozilla/5.0 (compatible; bingbot/2.0)'), true);
  assert.equal(claimsCrawler('curl/8.5'), false);
  assert.equal(claimsCrawler(undefined), false);
  assert.equal(inCrawlerDomains('a.googlebot.com.', ['googlebot.com']), true);
  assert.equal(inCrawlerDomains('googlebot.com', ['googlebot.com']), true);
  assert.equal(inCrawlerDomains('evilgooglebot.com', ['googlebot.com']), false);
  assert.deepEqual(botResolverFromEnv({ RAMPART_BOT_RESOLVER: '127.0.0.1:5300, [::1]:53' }), ['127.0.0.1:5300', '[::1]:53']);
  assert.equal(botResolverFromEnv({}), undefined);
});

test('FCrDNS: verified only when the PTR is in a crawler domain and the name points back', async () => {
  const clock = new ManualClock();
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const results: BotLookupResult[] = [];
  const v = new BotVerifier({ kv, clock, resolver: fakeResolver(PTR, A), onLookup: (r) => results.push(r) });
  assert.equal(await v.verify('66.249.66.1'), true);
  assert.equal(await v.verify('203.0.113.9'), false);
  assert.equal(await v.verify('198.51.100.7'), false);
  assert.equal(await v.verify('192.0.2.77'), false);
  assert.equal(await v.verify('2001:db8::5'), true, 'IPv6 compared in one spelling');
  assert.deepEqual(results, ['verified', 'forward_mismatch', 'ptr_outside_domains', 'no_ptr', 'verified']);
  assert.equal(await kv.get('bot:66.249.66.1'), '1');
  assert.equal(await kv.get('bot:203.0.113.9'), '0');
});

test('results are cached: positive 24 h, negative 1 h, shared through the store, one lookup for concurrent requests', async () => {
  const clock = new ManualClock();
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const calls: string[] = [];
  const v = new BotVerifier({ kv, clock, resolver: fakeResolver(PTR, A, calls) });
  const all = await Promise.all([v.verify('66.249.66.1'), v.verify('66.249.66.1'), v.verify('66.249.66.1')]);
  assert.deepEqual(all, [true, true, true]);
  assert.equal(calls.filter((c) => c.startsWith('ptr')).length, 1);
  await v.verify('203.0.113.9');
  assert.equal(v.cached('66.249.66.1'), true);
  assert.equal(v.cached('203.0.113.9'), false);
  clock.advance(3_600_000 + 1);
  assert.equal(v.cached('66.249.66.1'), true, 'positive still cached after 1 h');
  assert.equal(v.cached('203.0.113.9'), undefined, 'negative expired after 1 h');
  // another process with the same store: no DNS at all
  const calls2: string[] = [];
  const other = new BotVerifier({ kv, clock, resolver: fakeResolver(PTR, A, calls2) });
  assert.equal(await other.verify('66.249.66.1'), true);
  assert.deepEqual(calls2, []);
  clock.advance(24 * 3_600_000);
  assert.equal(v.cached('66.249.66.1'), undefined, 'positive expired after 24 h');
});

test('a slow resolver is cut at timeoutMs: not verified, cached briefly', async () => {
  const clock = new ManualClock();
  const kv = new MemoryKeyValueStore({ clock, sweepIntervalMs: 0 });
  const never: BotResolver = { reverse: () => new Promise(() => {}), resolve4: async () => [], resolve6: async () => [] };
  const v = new BotVerifier({ kv, clock, resolver: never, timeoutMs: 50 });
  assert.equal(await v.lookup('66.249.66.1'), 'timeout');
  assert.equal(await v.verify('66.249.66.1'), false);
  assert.ok(((await kv.ttl('bot:66.249.66.1')) ?? 0) <= 5 * 60_000);
});

test('a failing store falls back to DNS (fail open to a lookup), reported', async () => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const broken = { get: async () => { throw new Error('down'); }, set: async () => { throw new Error('down'); }, ttl: async () => { throw new Error('down'); } } as unknown as MemoryKeyValueStore;
  const v = new BotVerifier({ kv: broken, clock, resolver: fakeResolver(PTR, A), onStoreError: (e) => errors.push(e) });
  assert.equal(await v.verify('66.249.66.1'), true);
  assert.equal(errors.length, 2);
});
