/**
 * Signing keys for challenge tokens and clearance cookies, with key ids so keys can rotate.
 *
 * New tokens and cookies are signed with the primary key; verification looks the key up by the id carried in the
 * token, so a clearance signed with an older key stays valid until that key is removed from the ring. Rotation:
 * `add(newId, secret)`, `setPrimary(newId)`, and `remove(oldId)` once the longest clearance lifetime has passed.
 * `toJSON()` / `KeyRing.fromJSON()` let the caller persist the ring (the keys must survive restarts).
 */
import type { Random } from '../lib/clock.ts';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const MIN_KEY_BYTES = 32;

export interface KeyRingJson {
  primary: string;
  keys: Record<string, string>; // id → secret, base64url
}

export class KeyRing {
  #keys = new Map<string, Buffer>();
  #primary: string;

  constructor(primaryId: string, secret: Buffer) {
    this.#primary = primaryId;
    this.add(primaryId, secret);
  }

  /** A ring with one fresh random 32-byte key. */
  static generate(random: Random, id = 'k1'): KeyRing {
    return new KeyRing(id, random.bytes(MIN_KEY_BYTES));
  }

  static fromJSON(json: KeyRingJson): KeyRing {
    const primarySecret = json.keys[json.primary];
    if (primarySecret === undefined) throw new Error(`key ring: primary key "${json.primary}" is missing`);
    const ring = new KeyRing(json.primary, Buffer.from(primarySecret, 'base64url'));
    for (const [id, secret] of Object.entries(json.keys)) {
      if (id !== json.primary) ring.add(id, Buffer.from(secret, 'base64url'));
    }
    return ring;
  }

  toJSON(): KeyRingJson {
    const keys: Record<string, string> = {};
    for (const [id, secret] of this.#keys) keys[id] = secret.toString('base64url');
    return { primary: this.#primary, keys };
  }

  add(id: string, secret: Buffer): void {
    if (!KEY_ID.test(id)) throw new Error(`key ring: invalid key id "${id}"`);
    if (secret.length < MIN_KEY_BYTES) throw new Error(`key ring: key "${id}" is shorter than ${MIN_KEY_BYTES} bytes`);
    this.#keys.set(id, Buffer.from(secret));
  }

  setPrimary(id: string): void {
    if (!this.#keys.has(id)) throw new Error(`key ring: unknown key "${id}"`);
    this.#primary = id;
  }

  /** Remove a non-primary key: everything it signed stops verifying. */
  remove(id: string): boolean {
    if (id === this.#primary) throw new Error('key ring: cannot remove the primary key');
    return this.#keys.delete(id);
  }

  get primaryId(): string { return this.#primary; }

  /** The primary key, for signing. */
  primary(): { id: string; secret: Buffer } {
    const secret = this.#keys.get(this.#primary);
    if (secret === undefined) throw new Error('key ring: primary key missing');
    return { id: this.#primary, secret };
  }

  /** The key with this id, for verifying. */
  get(id: string): Buffer | undefined { return this.#keys.get(id); }

  ids(): string[] { return [...this.#keys.keys()]; }
}
