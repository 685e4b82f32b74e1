/**
 * Holds the current snapshot and publishes changes: validates and compiles the new zone list, advances the SOA
 * serial of every zone whose content changed (date-based, always increasing, so callers may pass any serial),
 * swaps the snapshot atomically, and sends NOTIFY for changed zones to their secondaries.
 */
import { createHash } from 'node:crypto';
import { systemClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { canonicalName } from './names.ts';
import { sendNotify } from './notify.ts';
import type { NotifyResult } from './notify.ts';
import { dnsZoneSchema } from './schemas.ts';
import type { DnsZone, DnsZoneInput } from './schemas.ts';
import { nextSerial, serialGreater } from './serial.ts';
import { buildDnsSnapshot, DnsZoneError } from './snapshot.ts';
import type { DnsSnapshot, DnsSnapshotOptions } from './snapshot.ts';
import type { DnsLogger } from './server.ts';

export interface DnsPublisherOptions extends DnsSnapshotOptions {
  clock?: Clock;
  /** Secondaries to NOTIFY when a zone changes ('ip', 'ip:port'); none by default. */
  secondaries?: (zone: string) => readonly string[];
  /** Replaceable for tests. */
  notify?: (zone: string, serial: number, targets: readonly string[]) => Promise<NotifyResult[]>;
  logger?: DnsLogger;
}

export interface PublishResult {
  snapshot: DnsSnapshot;
  /** Effective serial of every zone. */
  serials: Record<string, number>;
  /** Zones added or changed by this publish. */
  changed: string[];
  /** Zones no longer served. */
  removed: string[];
  /** Resolves when the NOTIFYs for this publish are answered or given up. */
  notified: Promise<NotifyResult[]>;
}

function contentHash(z: DnsZone): string {
  const { serial: _s, ...rest } = z;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export class DnsPublisher {
  readonly #opts: DnsPublisherOptions;
  readonly #clock: Clock;
  #snapshot: DnsSnapshot;
  #state = new Map<string, { hash: string; serial: number }>();

  constructor(opts: DnsPublisherOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#snapshot = buildDnsSnapshot([], opts);
  }

  /** For startDnsServer({ getSnapshot: publisher.getSnapshot }). */
  readonly getSnapshot = (): DnsSnapshot => this.#snapshot;

  /** The serial currently served for a zone. */
  serialOf(zone: string): number | undefined {
    return this.#state.get(canonicalName(zone))?.serial;
  }

  /** Publish the full zone list. Throws DnsZoneError (and keeps the old snapshot) when a zone is invalid. */
  publish(zones: readonly DnsZoneInput[]): PublishResult {
    const next = new Map<string, { hash: string; serial: number }>();
    const effective: DnsZone[] = [];
    const changed: string[] = [];
    const now = this.#clock.now();
    for (const input of zones) {
      const parsed = dnsZoneSchema.safeParse(input);
      const name = canonicalName(String(input.name));
      if (!parsed.success) throw new DnsZoneError(name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      const zone = parsed.data;
      const hash = contentHash(zone);
      const prev = this.#state.get(name);
      let serial = zone.serial;
      if (prev && prev.hash === hash && !serialGreater(serial, prev.serial)) serial = prev.serial;
      else if (prev && !serialGreater(serial, prev.serial)) serial = nextSerial(prev.serial, now);
      else if (!prev && serial === 0) serial = nextSerial(0, now);
      if (!prev || prev.serial !== serial) changed.push(name);
      next.set(name, { hash, serial });
      effective.push({ ...zone, serial });
    }
    const snapshot = buildDnsSnapshot(effective, this.#opts);
    const removed = [...this.#state.keys()].filter((z) => !next.has(z));
    this.#state = next;
    this.#snapshot = snapshot;
    const notify = this.#opts.notify ?? sendNotify;
    const jobs: Array<Promise<NotifyResult[]>> = [];
    for (const z of changed) {
      const targets = this.#opts.secondaries?.(z) ?? [];
      if (targets.length === 0) continue;
      const serial = next.get(z)?.serial ?? 0;
      jobs.push(
        notify(z, serial, targets).then((rs) => {
          for (const r of rs) if (!r.ok) this.#opts.logger?.warn({ zone: z, serial, ...r }, 'dns: NOTIFY not acknowledged');
          return rs;
        }),
      );
    }
    const serials = Object.fromEntries([...next].map(([k, v]) => [k, v.serial]));
    return { snapshot, serials, changed, removed, notified: Promise.all(jobs).then((rs) => rs.flat()) };
  }
}
