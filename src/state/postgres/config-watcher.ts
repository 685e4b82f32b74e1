/**
 * Watches the configuration version: a dedicated pg.Client runs `LISTEN rampart_config` and calls `onVersion` for
 * each notification (the payload is the committed version). When the connection drops it retries forever, with a
 * backoff of 100 ms doubling to 2 s, and after LISTENing again calls `onReconnect()`: notifications sent while it
 * was down are lost, so the caller pulls a fresh snapshot then. A periodic ping detects a silently dead connection.
 */
import pg from 'pg';
import { CONFIG_CHANNEL } from './config-store.ts';
import { toStoreError } from './errors.ts';

export interface WatchConfigOptions {
  url: string;
  /** Called with each version announced on the channel (in commit order as PostgreSQL delivers them). */
  onVersion(version: number): void;
  /**
   * Called after LISTEN is established again following a lost connection (or a first connection that needed
   * retries): re-pull the configuration, since notifications were missed.
   */
  onReconnect?(): void;
  /**
   * The first connection failure of each outage (as StoreUnavailableError; the silent retries that follow are not
   * reported again until LISTEN has been re-established), and any error thrown by the callbacks.
   */
  onError?(e: Error): void;
  /** Default `rampart_config`. */
  channel?: string;
  /** First retry delay (default 100 ms), doubled on each failure up to `maxBackoffMs` (default 2000 ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Connection attempt bound (default 2000 ms). */
  connectionTimeoutMillis?: number;
  /** How often the idle connection is checked with `SELECT 1` (default 10 000 ms; 0 disables). */
  pingIntervalMs?: number;
}

export interface ConfigWatch {
  /** Resolves once the first LISTEN is in place (notifications committed after that are delivered). */
  readonly ready: Promise<void>;
  /** Stops watching and closes the connection. */
  close(): Promise<void>;
}

function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

export function watchConfig(opts: WatchConfigOptions): ConfigWatch {
  const channel = opts.channel ?? CONFIG_CHANNEL;
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 2000;
  const pingEvery = opts.pingIntervalMs ?? 10_000;
  let closed = false;
  let current: pg.Client | undefined;
  let wake: (() => void) | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { markReady = resolve; });

  const report = (e: unknown): void => {
    try { opts.onError?.(toStoreError(e)); } catch { /* a throwing error handler must not stop the watch */ }
  };
  let inOutage = false;
  const fail = (e: unknown): void => {
    if (inOutage || closed) return;
    inOutage = true;
    report(e);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(() => { wake = undefined; resolve(); }, ms);
    wake = () => { clearTimeout(t); wake = undefined; resolve(); };
  });

  const loop = async (): Promise<void> => {
    let delay = minBackoff;
    let connectedOnce = false;
    let failedBefore = false;
    while (!closed) {
      const client = new pg.Client({
        connectionString: opts.url, connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 2000, query_timeout: Math.max(opts.connectionTimeoutMillis ?? 2000, 1000),
        keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: 'rampart-config-watch',
      });
      let ping: ReturnType<typeof setInterval> | undefined;
      const lost = new Promise<void>((resolve) => {
        client.on('error', (e) => { fail(e); resolve(); });
        client.on('end', () => resolve());
      });
      client.on('notification', (msg) => {
        if (msg.channel !== channel) return;
        const version = Number(msg.payload);
        if (!Number.isSafeInteger(version)) { report(new Error(`unexpected payload on ${channel}: ${String(msg.payload)}`)); return; }
        try { opts.onVersion(version); } catch (e) { report(e); }
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${quoteIdent(channel)}`);
        if (closed) { await client.end().catch(() => {}); break; }
        current = client;
        delay = minBackoff;
        inOutage = false;
        if (connectedOnce || failedBefore) {
          try { opts.onReconnect?.(); } catch (e) { report(e); }
        }
        connectedOnce = true;
        markReady();
        if (pingEvery > 0) {
          ping = setInterval(() => {
            client.query('SELECT 1').catch((e: unknown) => { fail(e); void client.end().catch(() => {}); });
          }, pingEvery);
          ping.unref();
        }
        await lost;
      } catch (e) {
        fail(e);
      } finally {
        if (ping) clearInterval(ping);
        current = undefined;
        await client.end().catch(() => {});
      }
      if (closed) break;
      failedBefore = true;
      // A connection that ended without an error event (server closed it cleanly) starts an outage too.
      fail(new Error('Connection terminated'));
      await sleep(delay);
      delay = Math.min(delay * 2, maxBackoff);
    }
  };

  const done = loop();
  return {
    ready,
    close: async () => {
      if (closed) return done;
      closed = true;
      wake?.();
      await current?.end().catch(() => {});
      await done;
    },
  };
}
