/**
 * A Lua script run with EVALSHA, falling back to EVAL (which also caches it) when Redis answers NOSCRIPT: after a
 * restart, a failover or SCRIPT FLUSH. Scripts are atomic in Redis: nothing else runs while one runs.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** A reply that must be a string (Lua scripts here return strings, never numbers: Redis truncates Lua numbers). */
export function replyString(reply: unknown, what: string): string {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  throw new TypeError(`unexpected Redis reply for ${what}: ${typeof reply}`);
}

/** A PEXPIRE argument (garbage collection only): whole milliseconds, at most 2^53 - 1. */
export function gcMillis(ms: number): number {
  return Math.min(Math.ceil(ms), Number.MAX_SAFE_INTEGER);
}
