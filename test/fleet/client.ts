/**
 * The fleet test's client, run inside the client namespace: `node client.ts '<json>'`, prints JSON.
 * {"send":[{url,host,from?}...]}              → [{status, cache}] in order, one request at a time
 * {"poll":[{url,host,status}...],"timeoutMs"} → [{url, ms, status}]: how long until each URL answered `status`
 *                                              (polled every 10 ms; ms = -1 if it never did within the timeout)
 */
import { request } from 'node:http';

interface Req { url: string; host: string; from?: string }
interface Poll extends Req { status: number }

function get(r: Req): Promise<{ status: number; cache: string | undefined }> {
  return new Promise((resolve) => {
    const q = request(r.url, { headers: { host: r.host }, agent: false, timeout: 5000, ...(r.from ? { localAddress: r.from } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['rampart-cache-status'] as string | undefined }));
    });
    q.on('error', () => resolve({ status: 0, cache: undefined }));
    q.on('timeout', () => q.destroy());
    q.end();
  });
}

const prog = JSON.parse(process.argv[2] ?? '{}') as { send?: Req[]; poll?: Poll[]; timeoutMs?: number };
if (prog.send) {
  const out = [];
  for (const r of prog.send) out.push(await get(r));
  process.stdout.write(JSON.stringify(out));
} else if (prog.poll) {
  const start = performance.now();
  const limit = prog.timeoutMs ?? 1000;
  const out = await Promise.all(prog.poll.map(async (p) => {
    let last = 0;
    while (performance.now() - start <= limit) {
      last = (await get(p)).status;
      if (last === p.status) return { url: p.url, ms: Math.round(performance.now() - start), status: last };
      await new Promise((r) => setTimeout(r, 10));
    }
    return { url: p.url, ms: -1, status: last };
  }));
  process.stdout.write(JSON.stringify(out));
}
