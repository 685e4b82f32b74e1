/**
 * The WAF phase: the zone's SecLang ruleset (the OWASP CRS at its paranoia level, Rampart's managed rules, the
 * zone's own rules) runs on the request head and, when the ruleset asks for it, on the body (buffered up to the
 * ruleset's limit, then streamed on unchanged). Rulesets are compiled once per distinct configuration and shared
 * by every zone that uses it, when a snapshot is applied (never per request). A compile failure or a missing
 * CRS fails open for that zone, loudly (log + metric). Matches go to the access log and security events.
 */
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { compileRulesetSync, crsConfig } from '../../../waf/index.ts';
import type { Interruption, MatchRecord, Ruleset } from '../../../waf/index.ts';
import type { WafSettings } from '../../../config/schema.ts';
import type { CompiledZone, EdgeSnapshot } from '../../../config/snapshot.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import { BODY_NOTE } from '../../pipeline/context.ts';
import type { RequestContext } from '../../pipeline/context.ts';

export interface WafNote {
  readonly matches: readonly MatchRecord[];
  readonly inbound: number;
  readonly budgetExceeded: boolean;
}

export interface WafDeps {
  /** Directory of the OWASP CRS (rules/), or undefined when none was found. */
  readonly crsDir: string | undefined;
  /** SecLang of Rampart's managed rules, or '' when none. */
  readonly managedRules: string;
  readonly onError: (zone: string, err: unknown) => void;
  readonly onCompiled?: (key: string, ms: number) => void;
}


function configKey(w: WafSettings): string {
  return JSON.stringify([w.mode, w.paranoia, w.inbound_threshold, w.outbound_threshold, w.exclude_ids, w.exclude_tags, w.managed_rules, w.rules]);
}

export function createWafPhase(deps: WafDeps): Phase & { onSnapshot(s: EdgeSnapshot): void } {
  const rulesets = new Map<string, Ruleset | Error>();

  function rulesetFor(zone: CompiledZone): Ruleset | undefined {
    const w = zone.zone.waf;
    if (w === undefined || w.mode === 'off') return undefined;
    const key = configKey(w);
    let r = rulesets.get(key);
    if (r === undefined) {
      const t0 = performance.now();
      try {
        if (deps.crsDir === undefined) throw new Error('no OWASP CRS directory: set RAMPART_CRS_DIR, or install Debian\'s modsecurity-crs package (/usr/share/modsecurity-crs)');
        const text = crsConfig({
          crsDir: deps.crsDir, paranoia: w.paranoia as 1 | 2 | 3 | 4, mode: w.mode, inboundThreshold: w.inbound_threshold, outboundThreshold: w.outbound_threshold,
          exclusions: { ids: w.exclude_ids, tags: w.exclude_tags },
          extraRules: [w.managed_rules ? deps.managedRules : '', w.rules].filter(Boolean).join('\n'),
        });
        r = compileRulesetSync({ text, baseDir: deps.crsDir });
        warm(r);
        deps.onCompiled?.(key, performance.now() - t0);
      } catch (e) {
        r = e instanceof Error ? e : new Error(String(e));
        deps.onError(zone.name, r);
      }
      rulesets.set(key, r);
    }
    return r instanceof Error ? undefined : r;
  }

  return {
    name: 'waf',
    /** Compile what the new snapshot needs (shared by zones with equal settings); drop what it no longer uses. */
    onSnapshot(s: EdgeSnapshot): void {
      const used = new Set<string>();
      for (const z of s.zones.values()) {
        if (z.zone.waf && z.zone.waf.mode !== 'off') { used.add(configKey(z.zone.waf)); rulesetFor(z); }
      }
      for (const k of rulesets.keys()) if (!used.has(k)) rulesets.delete(k);
    },
    onRequest(ctx: RequestContext): Verdict | Promise<Verdict> {
      if (ctx.skips('waf')) return CONTINUE;
      const rs = rulesetFor(ctx.zone!);
      if (rs === undefined) return CONTINUE;
      const req = ctx.req;
      const local = req.socket.localPort;
      const tx = rs.newTransaction({ id: ctx.ray, clientIp: ctx.clientIp, clientPort: req.socket.remotePort ?? 0, serverIp: req.socket.localAddress ?? '', ...(local !== undefined ? { serverPort: local } : {}) });
      const headers: Array<[string, string]> = [];
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const n = raw[i]!;
        if (n.charCodeAt(0) === 58) { if (n === ':authority') headers.push(['Host', raw[i + 1]!]); continue; }
        headers.push([n, raw[i + 1]!]);
      }
      const it = tx.processRequestHeaders({ method: req.method ?? 'GET', uri: req.url ?? '/', protocol: req.httpVersionMajor === 2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`, headers });
      if (it !== undefined) return finish(ctx, tx, it);
      const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined || (req.httpVersionMajor === 2 && req.method !== 'GET' && req.method !== 'HEAD');
      if (!hasBody || !rs.settings.requestBodyAccess) return finish(ctx, tx, tx.processRequestBody());
      return readBody(ctx, rs.settings.requestBodyLimit).then(({ head, rest }) => {
        let i2: Interruption | undefined = head.length ? tx.appendRequestBody(head) : undefined;
        i2 ??= tx.processRequestBody();
        ctx.notes.set(BODY_NOTE, rest === undefined ? head : prepend(head, rest));
        return finish(ctx, tx, i2);
      });
    },
  };
}

/**
 * Run a few synthetic requests through a new ruleset, without a time budget, before it serves: V8 compiles each
 * regular expression on its first use and optimises the rule loop after some runs, so the first real requests would
 * otherwise pay that cost, and on a busy machine overrun the 50 ms budget and pass unchecked (fail-open).
 */
const WARM_REQUESTS: ReadonlyArray<{ method: string; uri: string; body?: string; type?: string }> = [
  { method: 'GET', uri: '/index.html?page=2&sort=name' },
  { method: 'GET', uri: "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&id=1'%20OR%20'1'%3D'1&f=../../etc/passwd&c=;cat%20/etc/passwd" },
  { method: 'POST', uri: '/login', body: 'user=admin&pass=x%27%20or%201%3D1--&next=%2Fhome&cmd=%3Bwget%20http%3A%2F%2Fx', type: 'application/x-www-form-urlencoded' },
  { method: 'POST', uri: '/api/items', body: '{"name":"<img src=x onerror=alert(1)>","q":"1 UNION SELECT password FROM users"}', type: 'application/json' },
];
function warm(rs: Ruleset): void {
  for (let round = 0; round < 2; round++) {
    for (const w of WARM_REQUESTS) {
      const tx = rs.newTransaction({ id: 'warm-up', clientIp: '192.0.2.1', clientPort: 40000, serverIp: '192.0.2.2', serverPort: 443, budgetMs: 0 });
      const headers: Array<[string, string]> = [['Host', 'warm-up.invalid'], ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0'], ['Accept', 'text/html,application/json'], ['Accept-Language', 'en'], ['Cookie', 'session=abc; theme=dark']];
      if (w.body !== undefined) headers.push(['Content-Type', w.type ?? 'text/plain'], ['Content-Length', String(Buffer.byteLength(w.body))]);
      if (tx.processRequestHeaders({ method: w.method, uri: w.uri, protocol: 'HTTP/1.1', headers }) !== undefined) continue;
      if (w.body !== undefined && tx.appendRequestBody(Buffer.from(w.body)) !== undefined) continue;
      if (tx.processRequestBody() === undefined) tx.processLogging();
    }
  }
}

function finish(ctx: RequestContext, tx: { matches: readonly MatchRecord[]; anomalyScore: { inbound: number }; budgetExceeded: boolean; processLogging(): void }, it: Interruption | undefined): Verdict {
  if (it === undefined) tx.processLogging();
  if (tx.matches.length > 0 || tx.budgetExceeded) {
    ctx.notes.set('waf', { matches: tx.matches, inbound: tx.anomalyScore.inbound, budgetExceeded: tx.budgetExceeded } satisfies WafNote);
  }
  if (it === undefined || it.action === 'allow') return CONTINUE;
  if (it.action === 'drop') return { kind: 'drop', reason: 'waf.drop' };
  if (it.action === 'redirect' && it.url) return { kind: 'respond', status: it.status >= 300 && it.status < 400 ? it.status : 302, reason: 'waf.redirect', ruleId: String(it.ruleId), headers: { location: it.url }, body: '' };
  return { kind: 'respond', status: it.status >= 400 ? it.status : 403, reason: 'waf.block', ruleId: String(it.ruleId) };
}

/** Read up to `limit` bytes of the body; `rest` is the unread remainder of the stream when the body is longer. */
function readBody(ctx: RequestContext, limit: number): Promise<{ head: Buffer; rest: Readable | undefined }> {
  const req = ctx.req as Readable;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      if (size + c.length > limit) {
        const cut = limit - size;
        chunks.push(c.subarray(0, cut));
        req.pause();
        cleanup();
        req.unshift(c.subarray(cut));
        resolve({ head: Buffer.concat(chunks), rest: req });
        return;
      }
      size += c.length;
      chunks.push(c);
    };
    const onEnd = (): void => { cleanup(); resolve({ head: Buffer.concat(chunks), rest: undefined }); };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    const cleanup = (): void => { req.off('data', onData); req.off('end', onEnd); req.off('error', onError); };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function prepend(head: Buffer, rest: Readable): Readable {
  const out = new PassThrough();
  out.write(head);
  rest.pipe(out);
  rest.resume();
  return out;
}
