/**
 * The fleet test's client, run inside the client namespace: `node client.ts '<json>'`, prints JSON.
 * {"send":[{url,host,from?}...]}              → [{status, cache}] in order, one request at a time
 * {"poll":[{url,host,status}...],"timeoutMs"} → [{url, ms, status}]: how long until each URL answered `status`
 *                                              (polled every 10 ms; ms = -1 if it never did within the timeout)
 * {"challenge":{url,host,from?},"then":[{url,host,from?}...]}
 *   → {status, verifyStatus, then:[status...]}: get the challenge page, solve its proof of work like the page's
 *     script would, post the answer, then send the `then` requests with the clearance cookie it set
 */
import { request } from 'node:http';
import { solveWork } from '../../src/mitigation/proof-of-work.ts';

interface Req { url: string; host: string; from?: string }
interface Poll extends Req { status: number }

interface Answer { status: number; cache: string | undefined; body: string; setCookie: string[] }

function get(r: Req, o: { method?: string; cookie?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host: r.host, accept: 'text/html', 'user-agent': 'Mozilla/5.0 fleet-test' };
    if (o.cookie) headers['cookie'] = o.cookie;
    if (o.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const q = request(r.url, { method: o.method ?? 'GET', headers, agent: false, timeout: 5000, ...(r.from ? { localAddress: r.from } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < 200_000) body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['rampart-cache-status'] as string | undefined, body, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    q.on('error', () => resolve({ status: 0, cache: undefined, body: '', setCookie: [] }));
    q.on('timeout', () => q.destroy());
    q.end(o.body);
  });
}

const prog = JSON.parse(process.argv[2] ?? '{}') as { send?: Req[]; poll?: Poll[]; timeoutMs?: number; challenge?: Req; then?: Req[] };
if (prog.send) {
  const out = [];
  for (const r of prog.send) {
    // a connection that fails outright (status 0: the first packet from a freshly added address, say) is tried
    // twice more, 100 ms apart; an edge that is really down still fails (a worker restart takes longer)
    let a = await get(r);
    for (let i = 0; i < 2 && a.status === 0; i++) { await new Promise((res) => setTimeout(res, 100)); a = await get(r); }
    out.push({ status: a.status, cache: a.cache });
  }
  process.stdout.write(JSON.stringify(out));
} else if (prog.challenge) {
  const page = await get(prog.challenge);
  const cfg = /<script type="application\/json" id="rampart-config">([^<]+)<\/script>/.exec(page.body);
  const action = /<form id="rampart-form" method="POST" action="([^"]+)"/.exec(page.body);
  let verifyStatus = 0;
  let cookie = '';
  if (cfg?.[1] && action?.[1]) {
    const c = JSON.parse(cfg[1]) as { challenge: string; bits: number };
    const nonce = solveWork(c.challenge, c.bits) ?? '';
    const verify = await get({ ...prog.challenge, url: new URL(action[1], prog.challenge.url).toString() }, { method: 'POST', body: new URLSearchParams({ token: c.challenge, nonce }).toString() });
    verifyStatus = verify.status;
    cookie = verify.setCookie.map((x) => x.split(';')[0]).join('; ');
  }
  const then = [];
  for (const r of prog.then ?? []) then.push((await get(r, { cookie })).status);
  process.stdout.write(JSON.stringify({ status: page.status, verifyStatus, then }));
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
