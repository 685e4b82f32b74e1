import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EPOCHS_READ, epochOf, epochsRead, epochTtlMs, pointsAt, SCALE, unitsFor } from './decay.ts';

const H = 60_000;

describe('decay math', () => {
  it('stored units reproduce w × 2^(−age/h) across epochs', () => {
    const events = [
      { t: 1_000_000, w: 10 },
      { t: 1_000_000 + 70_000, w: 4 },
      { t: 1_000_000 + 190_000, w: 25 },
      { t: 1_000_000 + 333_333, w: 1.5 },
    ];
    const units = new Map<number, number>();
    for (const { t, w } of events) {
      const e = epochOf(t, H);
      units.set(e, (units.get(e) ?? 0) + unitsFor(w, t, H));
    }
    assert.ok(units.size >= 2, 'the events span several epochs');
    const now = 1_000_000 + 400_000;
    const exact = events.reduce((sum, { t, w }) => sum + w * 2 ** (-(now - t) / H), 0);
    assert.ok(Math.abs(pointsAt(units, now, H) - exact) < 0.01, `${pointsAt(units, now, H)} vs ${exact}`);
  });

  it('an event at an epoch start is worth exactly its weight then, and half one half-life later', () => {
    const t = 10 * 2 * H; // start of epoch 10
    const units = new Map([[epochOf(t, H), unitsFor(8, t, H)]]);
    assert.equal(units.get(10), 8 * SCALE);
    assert.equal(pointsAt(units, t, H), 8);
    assert.equal(pointsAt(units, t + H, H), 4);
  });

  it('reads the current epoch and the previous ones; keys live exactly while read', () => {
    const now = 10 * 2 * H + 5;
    assert.deepEqual(epochsRead(now, H), [10, 9, 8, 7]);
    assert.equal(EPOCHS_READ, 4);
    assert.equal(epochTtlMs(10, now, H), 4 * 2 * H - 5);
    const oldest = 7;
    assert.equal(epochTtlMs(oldest, now, H), 2 * H - 5);
    assert.ok(epochTtlMs(6, now, H) <= 0);
  });
});
