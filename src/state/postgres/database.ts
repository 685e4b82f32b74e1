/**
 * One pg.Pool and the two ways the adapters use it: a single statement (`query`) and a transaction (`transaction`).
 * Every failure to reach the server is mapped to StoreUnavailableError (code `config.unavailable`) and rejects
 * promptly: `connectionTimeoutMillis` (default 2000) bounds the wait for a connection. No client is cached: a
 * connection that broke is destroyed on release, and the pool opens new ones when the server is back.
 */
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { StoreUnavailableError, isUnavailable, redactUrl, toStoreError } from './errors.ts';

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a call waits for a connection before rejecting with `config.unavailable` (default 2000 ms). */
  connectionTimeoutMillis?: number;
  /** Bound on one statement's round trip (default 30 000 ms); past it the call rejects with `config.unavailable`. */
  queryTimeoutMillis?: number;
  /** Errors of idle connections (the server went away); they are otherwise harmless. */
  onError?: (e: Error) => void;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export class PgDatabase {
  readonly pool: pg.Pool;
  /** The URL with its password redacted. */
  readonly safeUrl: string;
  #closed = false;

  constructor(opts: PgDatabaseOptions) {
    this.safeUrl = redactUrl(opts.url);
    if (!URL.canParse(opts.url)) throw new TypeError(`not a PostgreSQL URL: ${this.safeUrl}`);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 2000,
      query_timeout: opts.queryTimeoutMillis ?? 30_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'rampart',
    });
    // An idle client whose server went away emits here; the pool drops it. Without a listener it would crash us.
    this.pool.on('error', (e) => { opts.onError?.(toStoreError(e)); });
  }

  async #connect(): Promise<PoolClient> {
    if (this.#closed) throw new StoreUnavailableError('the store is closed');
    try {
      return await this.pool.connect();
    } catch (e) {
      throw toStoreError(e);
    }
  }

  /** One statement on any pooled connection; returns the rows. */
  async query<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.run<R>(sql, params)).rows;
  }

  /** One statement; returns the rows and the affected row count. */
  async run<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      const r = await client.query<R>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    } catch (e) {
      if (isUnavailable(e)) broken = e as Error;
      throw toStoreError(e);
    } finally {
      client.release(broken ?? false);
    }
  }

  /**
   * Runs `fn` between BEGIN and COMMIT on one connection; any error rolls back and is rethrown (connectivity
   * errors as StoreUnavailableError). A commit that fails for lack of a connection leaves the outcome unknown:
   * the error says unreachable and the caller must not assume the transaction did not happen.
   */
  async transaction<T>(fn: (c: PoolClient) => Promise<T>, opts: { isolation?: Isolation; readOnly?: boolean } = {}): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${(opts.isolation ?? 'read committed').toUpperCase()}${opts.readOnly ? ' READ ONLY' : ''}`);
      let result: T;
      try {
        result = await fn(client);
      } catch (e) {
        if (isUnavailable(e)) broken = e as Error;
        else await client.query('ROLLBACK').catch((re: unknown) => { broken = re instanceof Error ? re : new Error(String(re)); });
        throw e;
      }
      await client.query('COMMIT');
      return result;
    } catch (e) {
      if (isUnavailable(e)) broken ??= e as Error;
      throw toStoreError(e);
    } finally {
      client.release(broken ?? false);
    }
  }

  /** Ends every connection of the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}
