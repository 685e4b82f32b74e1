/** Ray ids: 16 hex characters, unique per process (random prefix + counter), cheap to make per request. */
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(4).toString('hex');
let counter = randomBytes(4).readUInt32BE(0);

export function nextRay(): string {
  counter = (counter + 1) >>> 0;
  return prefix + counter.toString(16).padStart(8, '0');
}
