/**
 * The periodic housekeeping of the analytics store, run by one process (the control plane): roll minute rows
 * older than 24 h into hours, prune hourly rows older than 90 days. Every minute by default, on an unref'd timer;
 * time comes from the injected clock.
 */
import type { Clock } from '../lib/clock.ts';
import type { AnalyticsStore } from '../state/ports.ts';
import type { FlushTimers } from './aggregator.ts';

export interface AnalyticsMaintenanceOptions {
  readonly clock: Clock;
  /** Default 60 000. */
  readonly intervalMs?: number;
  readonly onError?: (err: unknown) => void;
  readonly timers?: FlushTimers;
}

export interface AnalyticsMaintenance {
  /** One pass now: how many minute rows were rolled and hourly rows pruned. */
  runOnce(): Promise<{ rolled: number; pruned: number }>;
  stop(): void;
}

export function startAnalyticsMaintenance(store: Pick<AnalyticsStore, 'rollup' | 'prune'>, opts: AnalyticsMaintenanceOptions): AnalyticsMaintenance {
  const timers: FlushTimers = opts.timers ?? {
    setInterval: (fn, ms) => { const t = setInterval(fn, ms); t.unref(); return t; },
    clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  };
  let running: Promise<{ rolled: number; pruned: number }> | undefined;
  const runOnce = (): Promise<{ rolled: number; pruned: number }> => {
    running ??= (async () => {
      try {
        const now = opts.clock.now();
        const rolled = await store.rollup(now);
        const pruned = await store.prune(now);
        return { rolled, pruned };
      } finally { running = undefined; }
    })();
    return running;
  };
  const handle = timers.setInterval(() => { runOnce().catch((e: unknown) => opts.onError?.(e)); }, opts.intervalMs ?? 60_000);
  return { runOnce, stop: () => timers.clearInterval(handle) };
}
