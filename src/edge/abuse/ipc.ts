/**
 * The abuse form's link from an edge worker to its primary over the cluster IPC channel: the worker has no config
 * or report store, so `AbuseIpcClient` (an AbuseSink) sends each submission and status lookup to the primary, which
 * answers with `answerAbuseIpc` from its AbuseService. The integrator adds `AbuseFromWorker` to FromWorker and
 * `AbuseToWorker` to ToWorker (src/edge/ipc.ts).
 */
import type { AbuseSink, AbuseSubmission, AbuseSubmitResult, AbuseTicketView } from './types.ts';

export type AbuseFromWorker =
  | { readonly t: 'abuse'; readonly id: number; readonly op: 'submit'; readonly fields: AbuseSubmission }
  | { readonly t: 'abuse'; readonly id: number; readonly op: 'status'; readonly ticket: string };

export type AbuseToWorker =
  | { readonly t: 'abuse'; readonly id: number; readonly op: 'submit'; readonly result: AbuseSubmitResult }
  | { readonly t: 'abuse'; readonly id: number; readonly op: 'status'; readonly result: AbuseTicketView | null }
  | { readonly t: 'abuse'; readonly id: number; readonly op: 'error'; readonly error: string };

interface Waiter { resolve: (m: AbuseToWorker) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** Worker side: an AbuseSink that asks the primary. Calls reject after `timeoutMs` (default 15 s) without answer. */
export class AbuseIpcClient implements AbuseSink {
  readonly #send: (m: AbuseFromWorker) => void;
  readonly #timeoutMs: number;
  readonly #waiters = new Map<number, Waiter>();
  #seq = 0;

  constructor(send: (m: AbuseFromWorker) => void, timeoutMs = 15_000) {
    this.#send = send;
    this.#timeoutMs = timeoutMs;
  }

  /** Feed every `{t: 'abuse'}` message from the primary here. */
  onMessage(m: AbuseToWorker): void {
    const w = this.#waiters.get(m.id);
    if (w === undefined) return;
    this.#waiters.delete(m.id);
    clearTimeout(w.timer);
    if (m.op === 'error') w.reject(new Error(`abuse report service: ${m.error}`)); else w.resolve(m);
  }

  #ask(m: AbuseFromWorker): Promise<AbuseToWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { if (this.#waiters.delete(m.id)) reject(new Error('abuse report service: no answer from the primary')); }, this.#timeoutMs);
      timer.unref();
      this.#waiters.set(m.id, { resolve, reject, timer });
      try { this.#send(m); } catch (e) { this.#waiters.delete(m.id); clearTimeout(timer); reject(e as Error); }
    });
  }

  async submit(fields: AbuseSubmission): Promise<AbuseSubmitResult> {
    const r = await this.#ask({ t: 'abuse', id: ++this.#seq, op: 'submit', fields });
    if (r.op !== 'submit') throw new Error('abuse report service: unexpected answer');
    return r.result;
  }

  async status(ticket: string): Promise<AbuseTicketView | undefined> {
    const r = await this.#ask({ t: 'abuse', id: ++this.#seq, op: 'status', ticket });
    if (r.op !== 'status') throw new Error('abuse report service: unexpected answer');
    return r.result ?? undefined;
  }
}

/** Primary side: answer one worker message with the node's sink (the AbuseService); undefined = not taken here. */
export function answerAbuseIpc(m: AbuseFromWorker, sink: AbuseSink | undefined, reply: (r: AbuseToWorker) => void, onError: (e: unknown) => void = () => {}): void {
  if (sink === undefined) { reply({ t: 'abuse', id: m.id, op: 'error', error: 'abuse reports are not taken on this node' }); return; }
  const failed = (e: unknown): void => { onError(e); reply({ t: 'abuse', id: m.id, op: 'error', error: 'unavailable' }); };
  if (m.op === 'submit') sink.submit(m.fields).then((result) => reply({ t: 'abuse', id: m.id, op: 'submit', result }), failed);
  else sink.status(m.ticket).then((v) => reply({ t: 'abuse', id: m.id, op: 'status', result: v ?? null }), failed);
}
