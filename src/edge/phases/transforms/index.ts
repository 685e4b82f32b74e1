/**
 * The transforms phase (docs/transforms.md). Request side, right after `waf`:
 *   - answers the edge's own assets: GET/HEAD /.rampart/email-decode.js (the email decoder) and
 *     /.rampart/email-protection (where an obfuscated mailto: link points without JavaScript);
 *   - hotlink protection: an image request with a foreign Referer → `respond 403 hotlink.block`;
 *   - leaves a ResponseTransform in `notes` (RESPONSE_TRANSFORM_NOTE) for the origin phase.
 * Response side (called by the origin phase when the origin's head arrives, before the cache tap sees it, so the
 * cache stores the transformed bytes): email obfuscation on HTML, then compression (br > zstd > gzip).
 */
import type { Transform } from 'node:stream';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { CompiledZone } from '../../../config/snapshot.ts';
import type { Random } from '../../../lib/clock.ts';
import { promClient } from '../../../telemetry/metrics.ts';
import type { Registry } from 'prom-client';
import {
  compileHotlink, compressHeaders, createCompressor, createEmailObfuscator, cspAllowsDecoder, decideCompression, flushCompressor,
  getField, getFields, mediaParam, mediaType, noTransform, removeField, varyOnEncoding, weakenEtag,
  DECODER_PATH, DECODER_SCRIPT, PROTECTION_PAGE, PROTECTION_PATH,
} from '../../../transform/index.ts';
import type { HotlinkPolicy } from '../../../transform/index.ts';
import type { BodyTransform } from './body-pipe.ts';

export { createBodySink, FLUSH_IDLE_MS } from './body-pipe.ts';
export type { BodySink, BodyTransform } from './body-pipe.ts';

/** Note key: the ResponseTransform of this request (absent when the zone transforms nothing). */
export const RESPONSE_TRANSFORM_NOTE = 'transforms.response';

export interface ResponseTransform {
  /**
   * The origin's response head arrived: rewrite `flat` (node:http's [name, value, ...]) in place and return the
   * streams the body must go through, or undefined to send it untouched.
   */
  begin(status: number, flat: string[]): BodyTransform | undefined;
}

export interface TransformsDeps {
  readonly random: Random;
  /** Where the counters go (the edge's registry). */
  readonly registry?: Registry | undefined;
  /** Bodies with a known length below this are not compressed (default 1024). */
  readonly minBytes?: number | undefined;
}

interface Counters {
  readonly compressed: { labels(zone: string, encoding: string): { inc(): void } };
  readonly obfuscated: { labels(zone: string): { inc(n?: number): void } };
}

function counters(registry: Registry | undefined): Counters | undefined {
  if (registry === undefined) return undefined;
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    compressed: get('rampart_compressed_responses_total', () => new promClient.Counter({
      name: 'rampart_compressed_responses_total', help: 'Responses compressed by the edge (each one is a compression run; cache hits are not counted)',
      labelNames: ['zone', 'encoding'] as const, registers: [registry],
    })),
    obfuscated: get('rampart_email_addresses_obfuscated_total', () => new promClient.Counter({
      name: 'rampart_email_addresses_obfuscated_total', help: 'Email addresses hidden in HTML responses (text and mailto: links)',
      labelNames: ['zone'] as const, registers: [registry],
    })),
  };
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

function bodyStatus(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 206 && status !== 304;
}

/** The phase; its request step is synchronous. */
export interface TransformsPhase extends Phase {
  onRequest(ctx: RequestContext): Verdict;
}

export function createTransformsPhase(deps: TransformsDeps): TransformsPhase {
  const metrics = counters(deps.registry);
  const hotlink = new WeakMap<CompiledZone, HotlinkPolicy>();
  const policy = (zone: CompiledZone): HotlinkPolicy => {
    let p = hotlink.get(zone);
    if (p === undefined) {
      p = compileHotlink({ zoneHosts: [zone.name, ...zone.zone.aliases], allow: zone.settings.hotlink_allow ?? [] });
      hotlink.set(zone, p);
    }
    return p;
  };

  function asset(path: string, method: string | undefined): Verdict | undefined {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path === DECODER_PATH) {
      return { kind: 'respond', status: 200, reason: 'transforms.asset', body: DECODER_SCRIPT, contentType: 'text/javascript; charset=utf-8',
        headers: { 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' } };
    }
    if (path === PROTECTION_PATH) {
      return { kind: 'respond', status: 200, reason: 'transforms.asset', body: PROTECTION_PAGE, contentType: 'text/html; charset=utf-8',
        headers: { 'cache-control': 'public, max-age=86400', 'x-robots-tag': 'noindex' } };
    }
    return undefined;
  }

  function responseTransform(ctx: RequestContext, zone: CompiledZone, compression: boolean, email: boolean): ResponseTransform {
    return {
      begin(status, flat) {
        const req = ctx.req;
        const method = req.method ?? 'GET';
        const streams: Transform[] = [];
        const d = compression
          ? decideCompression({ method, acceptEncoding: req.headers['accept-encoding'], range: req.headers.range !== undefined }, status, flat, { minBytes: deps.minBytes })
          : undefined;
        if (email && method !== 'HEAD' && bodyStatus(status) && HTML_TYPES.has(mediaType(getField(flat, 'content-type')))) {
          const ce = getField(flat, 'content-encoding')?.trim().toLowerCase();
          const charset = mediaParam(getField(flat, 'content-type'), 'charset') ?? '';
          if ((ce === undefined || ce === '' || ce === 'identity') && !noTransform(flat) && getField(flat, 'content-range') === undefined && !charset.startsWith('utf-16') && !charset.startsWith('utf-32')) {
            const csp = cspAllowsDecoder(getFields(flat, 'content-security-policy'), ctx.host);
            if (csp.ok) {
              let keys: Buffer | undefined;
              let k = 0;
              const keyByte = (): number => { if (keys === undefined || k >= keys.length) { keys = deps.random.bytes(32); k = 0; } return keys[k++]!; };
              streams.push(createEmailObfuscator({ keyByte, host: ctx.host, nonce: csp.nonce }, (n) => { if (n > 0) metrics?.obfuscated.labels(zone.name).inc(n); }));
              removeField(flat, 'content-length');
              removeField(flat, 'content-md5');
              weakenEtag(flat);
            }
          }
        }
        let flush: (() => void) | undefined;
        if (d !== undefined) {
          if (d.vary) varyOnEncoding(flat);
          if (d.coding !== undefined) {
            const cl = Number(getField(flat, 'content-length'));
            compressHeaders(flat, d.coding);
            const z = createCompressor(d.coding, Number.isFinite(cl) && cl > 0 ? cl : undefined);
            const coding = d.coding;
            streams.push(z);
            flush = () => flushCompressor(coding, z);
            metrics?.compressed.labels(zone.name, coding).inc();
          }
        }
        return streams.length === 0 ? undefined : { streams, flush };
      },
    };
  }

  return {
    name: 'transforms',
    onRequest(ctx: RequestContext): Verdict {
      const zone = ctx.zone!;
      const url = ctx.req.url ?? '/';
      if (url.startsWith('/.rampart/')) {
        const q = url.indexOf('?');
        const a = asset(q < 0 ? url : url.slice(0, q), ctx.req.method);
        if (a !== undefined) return a;
      }
      const s = zone.settings;
      // `hot` is Cloudflare's product name for it in skip rules
      if (s.hotlink_protection === true && !s.paused && !ctx.skips('hotlink_protection') && !ctx.skips('hot')) {
        const h = ctx.req.headers;
        if (policy(zone).blocks({ path: url, referer: h.referer, secFetchDest: h['sec-fetch-dest'] as string | undefined, host: ctx.host })) {
          return { kind: 'respond', status: 403, reason: 'hotlink.block' };
        }
      }
      const compression = s.compression !== false;
      const email = s.email_obfuscation !== false;
      if (compression || email) ctx.notes.set(RESPONSE_TRANSFORM_NOTE, responseTransform(ctx, zone, compression, email));
      return CONTINUE;
    },
  };
}
