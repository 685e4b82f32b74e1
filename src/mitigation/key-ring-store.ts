/**
 * Keeping the key ring across restarts and workers through the KeyValueStore port: the first worker to start creates
 * the ring (atomically, `setIfAbsent`), every other worker and every restart loads the same one.
 * Rotation: `rotateKeyRing` adds a fresh primary key and keeps the old ones until `pruneKeyRing` drops them.
 */
import type { Random } from '../lib/clock.ts';
import type { KeyValueStore } from '../state/ports.ts';
import { KeyRing, MIN_KEY_BYTES } from './key-ring.ts';
import type { KeyRingJson } from './key-ring.ts';

export const DEFAULT_KEY_RING_KEY = 'chal:keyring';

type Store = Pick<KeyValueStore, 'get' | 'set' | 'setIfAbsent'>;

function parse(text: string): KeyRing {
  return KeyRing.fromJSON(JSON.parse(text) as KeyRingJson);
}

/** Load the shared ring, creating it with one random key when there is none yet. */
export async function loadOrCreateKeyRing(store: Store, random: Random, key = DEFAULT_KEY_RING_KEY): Promise<KeyRing> {
  const existing = await store.get(key);
  if (existing !== undefined) return parse(existing);
  const fresh = KeyRing.generate(random, 'k1');
  if (await store.setIfAbsent(key, JSON.stringify(fresh.toJSON()))) return fresh;
  const winner = await store.get(key);
  if (winner === undefined) throw new Error('key ring: store lost the key ring it just refused to overwrite');
  return parse(winner);
}

/** Add a fresh key, make it primary, save. Returns the new ring (old keys still verify). */
export async function rotateKeyRing(store: Store, ring: KeyRing, random: Random, key = DEFAULT_KEY_RING_KEY): Promise<KeyRing> {
  const next = KeyRing.fromJSON(ring.toJSON());
  let n = next.ids().length + 1;
  while (next.get(`k${n}`) !== undefined) n++;
  next.add(`k${n}`, random.bytes(MIN_KEY_BYTES));
  next.setPrimary(`k${n}`);
  await store.set(key, JSON.stringify(next.toJSON()));
  return next;
}

/** Drop every key but the primary (call once the longest clearance lifetime has passed since the rotation), save. */
export async function pruneKeyRing(store: Store, ring: KeyRing, key = DEFAULT_KEY_RING_KEY): Promise<KeyRing> {
  const next = KeyRing.fromJSON(ring.toJSON());
  for (const id of next.ids()) if (id !== next.primaryId) next.remove(id);
  await store.set(key, JSON.stringify(next.toJSON()));
  return next;
}
