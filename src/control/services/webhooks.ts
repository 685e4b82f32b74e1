/**
 * Webhooks: the operator registers URLs that are told when something happens (an origin goes down or comes back,
 * a legal order is recorded, automatic mitigation applies or expires a rule, a test). Definitions live in the
 * config store (kind `webhook`, shared by a fleet's control planes). Each delivery is a JSON POST signed like
 * Stripe's: `rampart-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, retried with
 * exponential backoff on network errors, timeouts, 408, 429 and 5xx (default 6 attempts: at once, then after 1, 2,
 * 4, 8 and 16 s); any other status ends it. Every attempt lands in the delivery log: in memory (the last 200 per
 * webhook) and appended to `<data>/webhook-deliveries.jsonl`, read back at start (a torn last line is skipped).
 * The secret is shown once, at creation; reads show only its last four characters.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConfigStore } from '../../state/ports.ts';
import { ApiError, API_CODES, notFound } from '../api/errors.ts';

export const WEBHOOK_EVENTS = ['origin.down', 'origin.up', 'legal.order_recorded', 'mitigation.applied', 'mitigation.expired', 'attack.detected', 'zone.activated', 'test'] as const;
export type WebhookEvent = typeof WEBHOOK_EVENTS[number];

const UrlSchema = z.string().max(2048).refine((u) => { try { const p = new URL(u); return p.protocol === 'https:' || p.protocol === 'http:'; } catch { return false; } }, 'want an absolute http:// or https:// URL');

export const WebhookInputSchema = z.object({
  url: UrlSchema,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
  /** Only events of these zones (names); absent = every zone and the fleet-wide events. */
  zones: z.array(z.string().min(1).max(253)).max(1000).optional(),
  description: z.string().max(500).default(''),
  enabled: z.boolean().default(true),
  /** At least 16 characters when given; generated (32 random bytes, base64url) when absent. */
  secret: z.string().min(16).max(256).optional(),
}).strict();
export const WebhookPatchSchema = WebhookInputSchema.partial().strict();

interface StoredWebhook { id: string; url: string; events: WebhookEvent[]; zones?: string[]; description: string; enabled: boolean; secret: string; created_on: string; modified_on: string }
export type PublicWebhook = Omit<StoredWebhook, 'secret'> & { secret_hint: string };

export interface Delivery {
  id: string;
  webhook: string;
  event: WebhookEvent;
  attempt: number;
  time: string;
  /** HTTP status, or 0 when the request failed before an answer. */
  status: number;
  ok: boolean;
  /** What went wrong (network error, timeout), empty when answered. */
  error: string;
  /** Whether another attempt follows. */
  retrying: boolean;
  duration_ms: number;
}

export interface WebhookServiceOptions {
  store: ConfigStore;
  publish: () => Promise<void>;
  /** The JSONL delivery log (absent: memory only). */
  logFile?: string;
  /** Delays before attempts 2, 3, … in ms. Default [1000, 2000, 4000, 8000, 16000]. */
  backoffMs?: readonly number[];
  timeoutMs?: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
  /** This node, named in every payload (a fleet may send the same event from several nodes). */
  nodeId?: string;
}

const KIND = 'webhook';
const KEEP = 200;

function publicView(w: StoredWebhook): PublicWebhook {
  const { secret, ...rest } = w;
  return { ...rest, secret_hint: '…' + secret.slice(-4) };
}

/** The signature header for `body` sent at `t` (seconds). Receivers recompute it and compare in constant time. */
export function signWebhook(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export class WebhookService {
  readonly #o: WebhookServiceOptions;
  readonly #log = new Map<string, Delivery[]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inflight = new Set<Promise<void>>();
  #closed = false;

  constructor(o: WebhookServiceOptions) {
    this.#o = o;
    if (o.logFile && existsSync(o.logFile)) {
      for (const line of readFileSync(o.logFile, 'utf8').split('\n')) {
        if (!line) continue;
        try { this.#remember(JSON.parse(line) as Delivery, false); } catch { /* a torn last line after a crash */ }
      }
    }
  }

  async list(): Promise<PublicWebhook[]> {
    return (await this.#o.store.list(KIND)).map((d) => publicView(d.data as StoredWebhook));
  }

  async get(id: string): Promise<PublicWebhook> { return publicView(await this.#get(id)); }

  /** Create; the answer holds the secret (the only time it is shown). */
  async create(input: z.infer<typeof WebhookInputSchema>): Promise<PublicWebhook & { secret: string }> {
    const now = (this.#o.now?.() ?? new Date()).toISOString();
    const w: StoredWebhook = {
      id: randomUUID().replaceAll('-', ''), url: input.url, events: [...input.events], ...(input.zones ? { zones: input.zones } : {}),
      description: input.description, enabled: input.enabled, secret: input.secret ?? randomBytes(32).toString('base64url'), created_on: now, modified_on: now,
    };
    await this.#o.store.apply([{ op: 'put', doc: { kind: KIND, id: w.id, zoneId: null, name: null, data: w } }]);
    await this.#o.publish();
    return { ...publicView(w), secret: w.secret };
  }

  async update(id: string, patch: z.infer<typeof WebhookPatchSchema>): Promise<PublicWebhook> {
    const cur = await this.#get(id);
    const next: StoredWebhook = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), modified_on: (this.#o.now?.() ?? new Date()).toISOString() } as StoredWebhook;
    await this.#o.store.apply([{ op: 'put', doc: { kind: KIND, id, zoneId: null, name: null, data: next } }]);
    await this.#o.publish();
    return publicView(next);
  }

  async delete(id: string): Promise<{ id: string }> {
    await this.#get(id);
    await this.#o.store.apply([{ op: 'delete', kind: KIND, id }]);
    await this.#o.publish();
    return { id };
  }

  deliveries(id: string): Delivery[] { return [...(this.#log.get(id) ?? [])].reverse(); }

  /** Send a `test` event to one webhook now (whatever its event list); resolves once the first attempt is done. */
  async test(id: string): Promise<Delivery> {
    const w = await this.#get(id);
    return this.#deliver(w, 'test', { message: 'a test delivery from Rampart' }, null, 1, randomUUID());
  }

  /**
   * Tell every enabled webhook that subscribed to `event` (and to `zone`, when the webhook is limited to zones).
   * Never throws: a failing store or receiver is logged, not the caller's problem.
   */
  emit(event: WebhookEvent, data: Record<string, unknown>, zone: string | null = null): void {
    if (this.#closed) return;
    const p = this.#o.store.list(KIND).then((docs) => {
      for (const d of docs) {
        const w = d.data as StoredWebhook;
        if (!w.enabled || !w.events.includes(event)) continue;
        if (w.zones !== undefined && (zone === null || !w.zones.includes(zone))) continue;
        void this.#deliver(w, event, data, zone, 1, randomUUID());
      }
    }).catch((e: unknown) => this.#o.onError?.(e));
    this.#track(p);
  }

  /** Wait for the deliveries in flight (not the scheduled retries). */
  async idle(): Promise<void> { while (this.#inflight.size) await Promise.allSettled([...this.#inflight]); }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  async #get(id: string): Promise<StoredWebhook> {
    const d = await this.#o.store.get(KIND, id);
    if (!d) throw notFound(`webhook ${id}`);
    return d.data as StoredWebhook;
  }

  #track(p: Promise<unknown>): void {
    const q = p.then(() => undefined, () => undefined);
    this.#inflight.add(q);
    void q.finally(() => this.#inflight.delete(q));
  }

  #deliver(w: StoredWebhook, event: WebhookEvent, data: Record<string, unknown>, zone: string | null, attempt: number, deliveryId: string): Promise<Delivery> {
    const p = this.#attempt(w, event, data, zone, attempt, deliveryId);
    this.#track(p);
    return p;
  }

  async #attempt(w: StoredWebhook, event: WebhookEvent, data: Record<string, unknown>, zone: string | null, attempt: number, deliveryId: string): Promise<Delivery> {
    const now = this.#o.now?.() ?? new Date();
    const body = JSON.stringify({ id: deliveryId, event, time: now.toISOString(), zone, node: this.#o.nodeId ?? null, data });
    const t = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    let status = 0;
    let error = '';
    try {
      const r = await fetch(w.url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(this.#o.timeoutMs ?? 5000),
        headers: { 'content-type': 'application/json', 'user-agent': 'Rampart-Webhooks/1', 'rampart-event': event, 'rampart-delivery': deliveryId, 'rampart-signature': signWebhook(w.secret, t, body) },
        body,
      });
      status = r.status;
      await r.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timed out' : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
    }
    const ok = status >= 200 && status < 300;
    const backoff = this.#o.backoffMs ?? [1000, 2000, 4000, 8000, 16000];
    const transient = status === 0 || status === 408 || status === 429 || status >= 500;
    const retrying = !ok && transient && attempt <= backoff.length && !this.#closed;
    const d: Delivery = { id: deliveryId, webhook: w.id, event, attempt, time: now.toISOString(), status, ok, error, retrying, duration_ms: Math.round(performance.now() - started) };
    this.#remember(d, true);
    if (retrying) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        // the definition may have changed or gone meanwhile
        this.#o.store.get(KIND, w.id).then((cur) => {
          if (cur && (cur.data as StoredWebhook).enabled) void this.#deliver(cur.data as StoredWebhook, event, data, zone, attempt + 1, deliveryId);
        }, (e: unknown) => this.#o.onError?.(e));
      }, backoff[attempt - 1]);
      timer.unref();
      this.#timers.add(timer);
    }
    return d;
  }

  #remember(d: Delivery, persist: boolean): void {
    let l = this.#log.get(d.webhook);
    if (!l) { l = []; this.#log.set(d.webhook, l); }
    l.push(d);
    if (l.length > KEEP) l.splice(0, l.length - KEEP);
    if (persist && this.#o.logFile) {
      try { appendFileSync(this.#o.logFile, JSON.stringify(d) + '\n', { mode: 0o600 }); } catch (e) { this.#o.onError?.(e); }
    }
  }
}

/** For the routes: a webhook id from the path that is not ours is a 404, a bad body a 400 (by the router). */
export function assertWebhookId(id: string): void {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new ApiError(404, API_CODES.notFound, `webhook ${id} not found`);
}
