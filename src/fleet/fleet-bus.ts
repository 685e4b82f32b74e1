/**
 * What the nodes of a fleet say to each other over the shared event bus (Redis pub/sub in fleet mode):
 * - `fleet:hello`: every node announces itself every `helloMs` (id, role, listeners, config version), so any
 *   control plane knows which edge nodes are alive (seen within 3 × helloMs) without a registry to clean up;
 * - `fleet:purge` / `fleet:purge-ack`: a purge made on one control plane is run by every edge node on its own
 *   workers, and each answers with what it removed; the caller waits for every live edge node (bounded).
 * Configuration does not travel here: it is in the config store, and nodes pull it on its own notification.
 * Delivery is at most once; a node that misses a purge while its bus is down keeps stale entries until they
 * expire or the next purge (documented in docs/fleet.md).
 */
import { randomUUID } from 'node:crypto';
import type { EventBus, Unsubscribe } from '../state/ports.ts';
import type { PurgeSelector } from '../state/cache-store.ts';

export interface FleetNodeInfo {
  readonly id: string;
  readonly role: 'all' | 'edge' | 'control';
  readonly version: number;
  readonly http: string | null;
  readonly seenAt: number;
}

export interface FleetBusOptions {
  readonly bus: EventBus;
  readonly nodeId: string;
  readonly role: 'all' | 'edge' | 'control';
  /** This node's edge purge (its workers); absent on a control-only node. */
  readonly purgeLocal?: (s: PurgeSelector) => Promise<number>;
  /** What this node says of itself in each hello. */
  readonly describe: () => { version: number; http: string | null };
  readonly now?: () => number;
  readonly helloMs?: number;
  /** Longest wait for the other nodes' purge answers. Default 2000 ms. */
  readonly ackTimeoutMs?: number;
  readonly onError?: (what: string, error: unknown) => void;
}

interface PurgeRequest { id: string; from: string; selector: PurgeSelector }
interface PurgeAck { id: string; node: string; removed: number; error?: string }

export interface FleetPurgeResult { removed: number; nodes: number; missing: string[]; errors: string[] }

export class FleetBus {
  readonly #o: FleetBusOptions;
  readonly #now: () => number;
  readonly #helloMs: number;
  readonly #nodes = new Map<string, FleetNodeInfo>();
  readonly #waiting = new Map<string, (a: PurgeAck) => void>();
  readonly #subs: Unsubscribe[] = [];
  #timer: NodeJS.Timeout | undefined;

  private constructor(o: FleetBusOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#helloMs = o.helloMs ?? 2000;
  }

  static async start(o: FleetBusOptions): Promise<FleetBus> {
    const f = new FleetBus(o);
    f.#subs.push(await o.bus.subscribe('fleet:hello', (m) => f.#onHello(m)));
    f.#subs.push(await o.bus.subscribe('fleet:purge-ack', (m) => f.#onAck(m)));
    if (o.purgeLocal) f.#subs.push(await o.bus.subscribe('fleet:purge', (m) => f.#onPurge(m)));
    f.#timer = setInterval(() => f.hello(), f.#helloMs);
    f.#timer.unref();
    f.hello();
    return f;
  }

  /** Announce this node now (also after a config change, so the fleet view shows the new version at once). */
  hello(): void {
    const d = this.#o.describe();
    this.#o.bus.publish('fleet:hello', JSON.stringify({ id: this.#o.nodeId, role: this.#o.role, version: d.version, http: d.http }))
      .catch((e: unknown) => this.#o.onError?.('hello', e));
  }

  /** The nodes heard from recently (this one included once its own hello came back). */
  nodes(): FleetNodeInfo[] {
    const cutoff = this.#now() - 3 * this.#helloMs;
    return [...this.#nodes.values()].filter((n) => n.seenAt >= cutoff).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Purge on this node (when it has an edge) and on every other live edge node; resolves when they all answered
   * or the timeout passed (`missing` names the silent ones).
   */
  async purge(selector: PurgeSelector): Promise<FleetPurgeResult> {
    const id = randomUUID();
    const expect = new Set(this.nodes().filter((n) => n.role !== 'control' && n.id !== this.#o.nodeId).map((n) => n.id));
    const result: FleetPurgeResult = { removed: 0, nodes: 0, missing: [], errors: [] };
    let done: () => void = () => {};
    const all = new Promise<void>((r) => { done = r; });
    this.#waiting.set(id, (a) => {
      if (a.node === this.#o.nodeId) return;
      result.nodes++;
      result.removed += a.removed;
      if (a.error !== undefined) result.errors.push(`${a.node}: ${a.error}`);
      expect.delete(a.node);
      if (expect.size === 0) done();
    });
    try {
      const local = this.#o.purgeLocal ? this.#o.purgeLocal(selector) : Promise.resolve(undefined);
      let published = true;
      await this.#o.bus.publish('fleet:purge', JSON.stringify({ id, from: this.#o.nodeId, selector } satisfies PurgeRequest))
        .catch((e: unknown) => { published = false; result.errors.push(`fleet bus: ${(e as Error).message}`); });
      const n = await local;
      if (n !== undefined) { result.removed += n; result.nodes++; }
      if (published && expect.size > 0) {
        let t: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise<void>((r) => { t = setTimeout(r, this.#o.ackTimeoutMs ?? 2000); })]);
        clearTimeout(t);
      }
      result.missing.push(...expect);
      return result;
    } finally {
      this.#waiting.delete(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled(this.#subs.map((u) => u()));
  }

  #onHello(m: string): void {
    try {
      const h = JSON.parse(m) as { id: string; role: FleetNodeInfo['role']; version: number; http: string | null };
      if (typeof h.id !== 'string') return;
      this.#nodes.set(h.id, { id: h.id, role: h.role, version: Number(h.version) || 0, http: h.http ?? null, seenAt: this.#now() });
      if (this.#nodes.size > 10_000) for (const [k, v] of this.#nodes) if (v.seenAt < this.#now() - 3 * this.#helloMs) this.#nodes.delete(k);
    } catch (e) { this.#o.onError?.('hello message', e); }
  }

  #onAck(m: string): void {
    try {
      const a = JSON.parse(m) as PurgeAck;
      this.#waiting.get(a.id)?.(a);
    } catch (e) { this.#o.onError?.('purge-ack message', e); }
  }

  #onPurge(m: string): void {
    let req: PurgeRequest;
    try { req = JSON.parse(m) as PurgeRequest; } catch (e) { this.#o.onError?.('purge message', e); return; }
    if (req.from === this.#o.nodeId || this.#o.purgeLocal === undefined) return;
    this.#o.purgeLocal(req.selector).then(
      (removed) => ({ id: req.id, node: this.#o.nodeId, removed }),
      (e: unknown) => ({ id: req.id, node: this.#o.nodeId, removed: 0, error: (e as Error).message }),
    ).then((ack: PurgeAck) => this.#o.bus.publish('fleet:purge-ack', JSON.stringify(ack)))
      .catch((e: unknown) => this.#o.onError?.('purge', e));
  }
}
