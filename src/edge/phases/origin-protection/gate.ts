/**
 * Per-zone cap on concurrent origin requests with a short bounded FIFO queue (issue 6, docs/bots-and-origin.md).
 *
 * `enter` takes a slot at once when fewer than `max` are in flight; otherwise the request waits in the zone's
 * queue (at most `queue` waiters, each at most `timeoutMs`); past either bound it is refused. `release` hands the
 * slot straight to the oldest waiter, so in-flight never exceeds `max`. Counts are per edge process.
 */

export type GateRefusal = 'queue_full' | 'queue_timeout' | 'client_gone';

export interface GateLimits {
  /** Slots; 0 = no cap. */
  readonly max: number;
  readonly queue: number;
  readonly timeoutMs: number;
}

interface Waiter {
  readonly grant: () => void;
  readonly refuse: (why: GateRefusal) => void;
  timer: NodeJS.Timeout | undefined;
}

class ZoneGate {
  inflight = 0;
  readonly waiters: Waiter[] = [];
}

/** A held slot: call once when the origin exchange is over (idempotent). */
export type Release = () => void;

export class OriginGate {
  readonly #zones = new Map<string, ZoneGate>();

  /** Slots in use for `zoneId` (for tests and metrics). */
  inflight(zoneId: string): number { return this.#zones.get(zoneId)?.inflight ?? 0; }

  /** Requests waiting for a slot for `zoneId`. */
  queued(zoneId: string): number { return this.#zones.get(zoneId)?.waiters.length ?? 0; }

  /**
   * A slot now (a `Release`), a promise of one (or of the refusal), or the refusal at once. `gone` lets a queued
   * request leave when its client disconnects (call the returned cancel function).
   */
  enter(zoneId: string, l: GateLimits, onGone?: (cancel: () => void) => void): Release | GateRefusal | Promise<Release | GateRefusal> {
    if (l.max <= 0) return NOOP;
    let z = this.#zones.get(zoneId);
    if (z === undefined) { z = new ZoneGate(); this.#zones.set(zoneId, z); }
    if (z.inflight < l.max && z.waiters.length === 0) { z.inflight++; return this.#releaser(zoneId, z); }
    if (z.waiters.length >= l.queue || l.timeoutMs <= 0) return 'queue_full';
    const zone = z;
    return new Promise<Release | GateRefusal>((resolve) => {
      const w: Waiter = {
        grant: () => { clearTimeout(w.timer); resolve(this.#releaser(zoneId, zone)); },
        refuse: (why) => { clearTimeout(w.timer); resolve(why); },
        timer: undefined,
      };
      const leave = (why: GateRefusal): void => {
        const i = zone.waiters.indexOf(w);
        if (i >= 0) { zone.waiters.splice(i, 1); w.refuse(why); }
      };
      w.timer = setTimeout(() => leave('queue_timeout'), l.timeoutMs);
      zone.waiters.push(w);
      onGone?.(() => leave('client_gone'));
    });
  }

  #releaser(zoneId: string, z: ZoneGate): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = z.waiters.shift();
      if (next !== undefined) { next.grant(); return; } // the slot passes on: inflight unchanged
      z.inflight--;
      if (z.inflight === 0 && this.#zones.get(zoneId) === z) this.#zones.delete(zoneId);
    };
  }
}

const NOOP: Release = () => {};
