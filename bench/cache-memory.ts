/**
 * Memory per cached object (issue 7): N 1 KiB responses stored in the edge's memory tier the way the cache phase
 * stores them (buildEntry from nginx-like response headers, a writer per object), then the growth of V8 heap +
 * ArrayBuffer memory after a full GC, per object, minus the body. One JSON line:
 *   {"objects":N,"body_bytes":1024,"bytes_per_object":...,"overhead_bytes_per_object":...,"store_counted_bytes":...}
 * Usage: node --expose-gc bench/cache-memory.ts [N=50000]
 */
import { buildEntry, MemoryCacheStore } from '../src/cache/index.ts';

const n = Number(process.argv[2] ?? 50_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) { console.error('run with --expose-gc'); process.exit(2); }
const store = new MemoryCacheStore({ maxBytes: 4 * 1024 * 1024 * 1024 });
const body = Buffer.alloc(1024, 'x');
const used = (): number => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const before = used();
const t = Date.now();
for (let i = 0; i < n; i++) {
  const e = buildEntry({
    url: { zone: '0f0e7dd7716c14748f9d23bd4a9dcebb', scheme: 'http', host: 'bench.test', path: '/c/1k', query: `obj=${i}` },
    requestHeaders: { host: 'bench.test', 'user-agent': 'wrk', accept: '*/*' }, status: 200,
    responseHeaders: {
      server: 'nginx/1.22.1', date: new Date(t).toUTCString(), 'content-type': 'application/octet-stream', 'content-length': '1024',
      'last-modified': 'Wed, 25 Nov 2026 18:00:00 GMT', etag: `"6925e6c0-${i.toString(16)}"`, expires: new Date(t + 3_600_000).toUTCString(),
      'cache-control': 'max-age=3600', 'accept-ranges': 'bytes', via: '1.1 rampart', 'rampart-ray': `9a1b2c3d4e5f${i.toString(16).padStart(4, '0')}-AMS`,
    },
    requestTime: t, responseTime: t,
  });
  const w = await store.createWriter(e);
  await w.write(body);
  await w.commit();
}
const after = used();
const stats = await store.stats();
const per = (after - before) / n;
console.log(JSON.stringify({ objects: stats.entries, body_bytes: body.length, bytes_per_object: Math.round(per), overhead_bytes_per_object: Math.round(per - body.length), store_counted_bytes: Math.round(stats.bytes / n) }));
await store.close();
