/**
 * Per-session HTTP/2 abuse guard: counts stream resets by the client (rapid reset, CVE-2023-44487), PING and
 * SETTINGS frames in one-second windows; past a limit the session gets GOAWAY(ENHANCE_YOUR_CALM) and is closed.
 */
import { constants } from 'node:http2';
import type { ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Clock } from '../../lib/clock.ts';

export type H2Abuse = 'h2_rapid_reset' | 'h2_ping_flood' | 'h2_settings_flood';

export interface H2GuardLimits {
  readonly rstPerSecond: number;
  readonly pingsPerSecond: number;
  readonly settingsPerSecond: number;
}

/** Counts of one session's frames in the current one-second window. Pure: tested with a ManualClock. */
export class H2FrameCounter {
  readonly #limits: H2GuardLimits;
  readonly #clock: Clock;
  #windowStart: number;
  #rst = 0;
  #ping = 0;
  #settings = 0;

  constructor(limits: H2GuardLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    this.#windowStart = clock.now();
  }

  #roll(): void {
    const now = this.#clock.now();
    if (now - this.#windowStart >= 1000) { this.#windowStart = now; this.#rst = 0; this.#ping = 0; this.#settings = 0; }
  }

  /** The client reset a stream. Returns the abuse when over the limit. */
  reset(): H2Abuse | undefined { this.#roll(); return ++this.#rst > this.#limits.rstPerSecond ? 'h2_rapid_reset' : undefined; }
  ping(): H2Abuse | undefined { this.#roll(); return ++this.#ping > this.#limits.pingsPerSecond ? 'h2_ping_flood' : undefined; }
  settings(): H2Abuse | undefined { this.#roll(); return ++this.#settings > this.#limits.settingsPerSecond ? 'h2_settings_flood' : undefined; }
}

/**
 * Watch a server session. `onAbuse` is called once, when the session is sent away. Streams that end with a
 * non-zero RST code that the server did not choose count as client resets.
 */
export function guardH2Session(sess: ServerHttp2Session, limits: H2GuardLimits, clock: Clock, onAbuse: (kind: H2Abuse) => void): void {
  const c = new H2FrameCounter(limits, clock);
  let done = false;
  const abuse = (k: H2Abuse | undefined): void => {
    if (k === undefined || done) return;
    done = true;
    onAbuse(k);
    if (sess.destroyed) return;
    try { sess.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM); } catch { /* already closing */ }
    // let the GOAWAY reach the wire, then drop the connection with every stream on it
    setImmediate(() => { if (!sess.destroyed) sess.destroy(); });
  };
  sess.on('stream', (stream: ServerHttp2Stream) => {
    let counted = false;
    const check = (): void => {
      // rstCode: the code of the RST_STREAM that closed the stream; NGHTTP2_CANCEL is what rapid reset sends
      if (counted || stream.rstCode === undefined) return;
      counted = true;
      if (stream.rstCode === constants.NGHTTP2_CANCEL || (stream.rstCode !== constants.NGHTTP2_NO_ERROR && stream.aborted)) abuse(c.reset());
    };
    // HEADERS and RST_STREAM read together: the stream may already be closed when it is announced
    if (stream.closed) check(); else stream.once('close', check);
  });
  sess.on('ping', () => abuse(c.ping()));
  sess.on('remoteSettings', () => abuse(c.settings()));
}
