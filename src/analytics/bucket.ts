/**
 * The in-memory state of one (zone, minute) in an edge worker: counters, status classes, threats by kind, a
 * HyperLogLog of client IPs and five space-saving top-K tables. `add` does no allocation for a repeated key;
 * `toDelta` serialises it for the store.
 */
import type { AnalyticsDelta } from '../state/ports.ts';
import { hash32 } from './hash.ts';
import { HyperLogLog } from './hll.ts';
import type { AnalyticsSample } from './sample.ts';
import { SpaceSaving } from './top-k.ts';

/** Up to this many requests per minute keep raw IP hashes instead of a HyperLogLog. */
const SMALL_SET = 256;

const ASN_KEYS = new Map<number, string>();
function asnKey(asn: number): string {
  let k = ASN_KEYS.get(asn);
  if (k === undefined) {
    k = String(asn);
    if (ASN_KEYS.size < 10_000) ASN_KEYS.set(asn, k);
  }
  return k;
}

export class MinuteBucket {
  readonly zoneId: string;
  /** Start of the minute, ms. */
  readonly minute: number;
  requests = 0;
  bytes = 0;
  cachedRequests = 0;
  cachedBytes = 0;
  pageviews = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  s4 = 0;
  s5 = 0;
  readonly threats = new Map<string, number>();
  /** Client IP hashes while few (a quiet zone's minute needs no 4 KB sketch), then the HyperLogLog. */
  #hashes: number[] | undefined = [];
  #hll: HyperLogLog | undefined;
  readonly ips: SpaceSaving;
  readonly paths: SpaceSaving;
  readonly countries: SpaceSaving;
  readonly asns: SpaceSaving;
  readonly userAgents: SpaceSaving;

  constructor(zoneId: string, minute: number, topK: number) {
    this.zoneId = zoneId;
    this.minute = minute;
    this.ips = new SpaceSaving(topK);
    this.paths = new SpaceSaving(topK);
    this.countries = new SpaceSaving(topK);
    this.asns = new SpaceSaving(topK);
    this.userAgents = new SpaceSaving(topK);
  }

  add(s: AnalyticsSample): void {
    this.requests++;
    const bytes = s.bytesOut > 0 ? s.bytesOut : 0;
    this.bytes += bytes;
    if (s.cached) { this.cachedRequests++; this.cachedBytes += bytes; }
    if (s.pageview) this.pageviews++;
    const c = (s.status / 100) | 0;
    if (c === 2) this.s2++;
    else if (c === 3) this.s3++;
    else if (c === 4) this.s4++;
    else if (c === 5) this.s5++;
    else if (c === 1) this.s1++;
    if (s.threat !== null) this.threats.set(s.threat, (this.threats.get(s.threat) ?? 0) + 1);
    const h = hash32(s.clientIp);
    const few = this.#hashes;
    if (few === undefined) this.#hll!.addHash(h);
    else if (few.length < SMALL_SET) few.push(h);
    else {
      const hll = new HyperLogLog();
      for (const x of few) hll.addHash(x);
      hll.addHash(h);
      this.#hll = hll;
      this.#hashes = undefined;
    }
    this.ips.add(s.clientIp);
    this.paths.add(s.path);
    this.countries.add(s.country ?? 'XX');
    if (s.asn !== null) this.asns.add(asnKey(s.asn));
    this.userAgents.add(s.userAgent);
  }

  /** The unique-visitor sketch (built from the few hashes when still small). */
  uniques(): HyperLogLog {
    if (this.#hll !== undefined) return this.#hll;
    const hll = new HyperLogLog();
    for (const x of this.#hashes!) hll.addHash(x);
    return hll;
  }

  toDelta(): AnalyticsDelta {
    return {
      zoneId: this.zoneId, resolution: 'minute', bucket: this.minute, requests: this.requests, bytes: this.bytes,
      cachedRequests: this.cachedRequests, cachedBytes: this.cachedBytes, pageviews: this.pageviews,
      status: { '1xx': this.s1, '2xx': this.s2, '3xx': this.s3, '4xx': this.s4, '5xx': this.s5 },
      threats: Object.fromEntries(this.threats), uniques: this.uniques().encode(),
      top: { ips: this.ips.toSketch(), paths: this.paths.toSketch(), countries: this.countries.toSketch(), asns: this.asns.toSketch(), userAgents: this.userAgents.toSketch() },
    };
  }
}

/** One minute delta from samples (all in that minute); for tests and tools. */
export function deltaFromSamples(zoneId: string, minute: number, samples: Iterable<AnalyticsSample>, topK?: number): AnalyticsDelta {
  const b = new MinuteBucket(zoneId, minute, topK ?? 100);
  for (const s of samples) b.add(s);
  return b.toDelta();
}
