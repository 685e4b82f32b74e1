/**
 * Automatic rules in the shared KeyValueStore (memory on one node, SQLite between a node's workers, Redis in a
 * fleet), so a rule one worker makes is enforced by every worker and node, and the control plane can list and
 * lift them.
 *
 * Keys:
 * - `automit:v1:zone:ZONE` — JSON `{"v":1,"rules":[AutoRule...]}`: the zone's active rules and its recent ones
 *   (expired or lifted in the last hour, at most 50). TTL 2 h after the last write.
 * - `automit:v1:dir` — JSON `{"ZONE": version, ...}`: zones that have rules, with a version bumped on every change
 *   of their index; workers poll this one key every second and read a zone's index only when its version moved.
 * - `automit:v1:seq` — the version counter (incr).
 * - `…:lock` — a short lock (setIfAbsent, 3 s TTL) around each read-modify-write.
 */
import type { KeyValueStore } from '../../state/ports.ts';
import type { AutoRule } from './rule.ts';
import { isActive, sameSegment } from './rule.ts';

export const AUTO_DIR_KEY = 'automit:v1:dir';
const SEQ_KEY = 'automit:v1:seq';
const RECENT_MS = 3600_000;
const MAX_RECENT = 50;

export function zoneIndexKey(zoneId: string): string { return `automit:v1:zone:${zoneId}`; }

function parseRules(raw: string | undefined): AutoRule[] {
  if (raw === undefined) return [];
  try {
    const j = JSON.parse(raw) as { rules?: unknown };
    if (!Array.isArray(j.rules)) return [];
    return (j.rules as AutoRule[]).filter((r) => typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.expiresAt === 'number');
  } catch { return []; }
}

export function parseDir(raw: string | undefined): Record<string, number> {
  if (raw === undefined) return {};
  try {
    const j = JSON.parse(raw) as unknown;
    if (typeof j !== 'object' || j === null || Array.isArray(j)) return {};
    const out: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [k, v] of Object.entries(j)) if (typeof v === 'number') out[k] = v;
    return out;
  } catch { return {}; }
}

export async function readRules(kv: KeyValueStore, zoneId: string): Promise<AutoRule[]> {
  return parseRules(await kv.get(zoneIndexKey(zoneId)));
}

export async function readDir(kv: KeyValueStore): Promise<Record<string, number>> {
  return parseDir(await kv.get(AUTO_DIR_KEY));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run `fn` holding `key`'s lock (best effort: after ~1 s of waiting it runs anyway rather than lose the write). */
async function withLock<T>(kv: KeyValueStore, key: string, fn: () => Promise<T>): Promise<T> {
  const lock = key + ':lock';
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  let held = false;
  for (let i = 0; i < 50 && !held; i++) {
    held = await kv.setIfAbsent(lock, token, 3000);
    if (!held) await sleep(20);
  }
  try { return await fn(); } finally {
    if (held && (await kv.get(lock)) === token) await kv.delete(lock);
  }
}

/** Drop rules over an hour past their end, keep at most 50 inactive ones (newest). */
export function pruneRules(rules: readonly AutoRule[], now: number): AutoRule[] {
  const active = rules.filter((r) => isActive(r, now));
  const recent = rules.filter((r) => !isActive(r, now) && (r.liftedAt ?? r.expiresAt) > now - RECENT_MS)
    .sort((a, b) => (b.liftedAt ?? b.expiresAt) - (a.liftedAt ?? a.expiresAt)).slice(0, MAX_RECENT);
  return [...active, ...recent];
}

/**
 * Read-modify-write a zone's rules under its lock. `mutate` returns the new list, or undefined to change nothing.
 * Returns the stored list (after pruning).
 */
export async function updateRules(kv: KeyValueStore, zoneId: string, now: number, mutate: (rules: AutoRule[]) => AutoRule[] | undefined): Promise<AutoRule[]> {
  const key = zoneIndexKey(zoneId);
  const result = await withLock(kv, key, async () => {
    const cur = parseRules(await kv.get(key));
    const next = mutate(cur);
    if (next === undefined) return { rules: cur, changed: false };
    const pruned = pruneRules(next, now);
    if (pruned.length === 0) await kv.delete(key);
    else await kv.set(key, JSON.stringify({ v: 1, rules: pruned }), RECENT_MS * 2);
    return { rules: pruned, changed: true };
  });
  if (result.changed) {
    const version = await kv.incr(SEQ_KEY);
    await withLock(kv, AUTO_DIR_KEY, async () => {
      const dir = parseDir(await kv.get(AUTO_DIR_KEY));
      if (result.rules.length === 0) delete dir[zoneId]; else dir[zoneId] = version;
      await kv.set(AUTO_DIR_KEY, JSON.stringify(dir));
    });
  }
  return result.rules;
}

/** Publish a new rule; when another worker already made the same one (segment, action, level), extend that one instead. */
export async function publishRule(kv: KeyValueStore, rule: AutoRule, now: number): Promise<AutoRule[]> {
  return updateRules(kv, rule.zoneId, now, (rules) => {
    const same = rules.find((r) => isActive(r, now) && sameSegment(r.segment, rule.segment) && r.action === rule.action && r.level === rule.level);
    if (same !== undefined) {
      if (same.expiresAt >= rule.expiresAt) return undefined;
      return rules.map((r) => (r === same ? { ...r, expiresAt: rule.expiresAt } : r));
    }
    return [...rules.filter((r) => r.id !== rule.id), rule];
  });
}

/** Push an active rule's end to `expiresAt` (never shortens it). */
export async function extendRule(kv: KeyValueStore, zoneId: string, id: string, expiresAt: number, now: number): Promise<AutoRule[]> {
  return updateRules(kv, zoneId, now, (rules) => {
    const r = rules.find((x) => x.id === id);
    if (r === undefined || !isActive(r, now) || r.expiresAt >= expiresAt) return undefined;
    return rules.map((x) => (x === r ? { ...x, expiresAt } : x));
  });
}

/** Lift a rule early (operator). Returns the lifted rule, or undefined when it is not active. */
export async function liftRule(kv: KeyValueStore, zoneId: string, id: string, now: number): Promise<AutoRule | undefined> {
  let lifted: AutoRule | undefined;
  await updateRules(kv, zoneId, now, (rules) => {
    const r = rules.find((x) => x.id === id);
    if (r === undefined || !isActive(r, now)) return undefined;
    lifted = { ...r, liftedAt: now };
    return rules.map((x) => (x === r ? lifted! : x));
  });
  return lifted;
}
