/**
 * Contract suite for AuditLog. `make` returns a fresh, empty log; `peer` (optional) is a second instance on the same
 * backend; `tamper` (optional) tries to change or remove a stored entry behind the adapter's back, directly in the
 * backend, and must be refused by it. Pinned semantics: seq runs 1..n without gaps; every entry links to the
 * previous one's hash (64 zeros first) and its hash is what `seal` computes; appends from several instances in
 * parallel still form one valid chain; `list(afterSeq, limit)` pages in order; `count` is the number of entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GENESIS, seal } from '../../control/services/audit.ts';
import type { AuditEntry, AuditLog } from '../ports.ts';

export interface AuditLogFixture {
  log: AuditLog;
  /** A second instance on the same backend. */
  peer?: AuditLog;
  /** Raw writes that the backend itself must refuse (they reject). */
  tamper?: {
    update(seq: number): Promise<unknown>;
    delete(seq: number): Promise<unknown>;
  };
  close(): Promise<void>;
}

type NewEntry = Omit<AuditEntry, 'seq' | 'prev' | 'hash'>;

const entry = (i: number, detail: unknown = { i }): NewEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  actor: `token:${i % 3}`,
  method: i % 2 === 0 ? 'POST' : 'DELETE',
  path: `/zones/z${i}/rules`,
  zone: i % 4 === 0 ? null : `z${i}.example`,
  status: 200 + (i % 3),
  detail,
});

/** Asserts that `entries` is a whole valid chain: seq 1..n, links, and each hash recomputed with `seal`. */
export function assertValidChain(entries: readonly AuditEntry[]): void {
  let last: AuditEntry | undefined;
  entries.forEach((e, i) => {
    assert.equal(e.seq, i + 1, `seq of entry ${i + 1}`);
    assert.equal(e.prev, last ? last.hash : GENESIS, `prev of entry ${e.seq}`);
    const { time, actor, method, path, zone, status, detail } = e;
    assert.deepEqual(seal({ time, actor, method, path, zone, status, detail }, last ? { seq: last.seq, hash: last.hash } : undefined), e, `hash of entry ${e.seq}`);
    last = e;
  });
}

export function auditLogContract(name: string, make: () => Promise<AuditLogFixture>): void {
  const withLog = (fn: (f: AuditLogFixture) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`AuditLog contract: ${name}`, () => {
    it('starts empty', withLog(async ({ log }) => {
      assert.equal(await log.count(), 0);
      assert.deepEqual(await log.list(), []);
    }));

    it('appends with seq 1..n and a hash chain that verifies; list returns what append returned', withLog(async ({ log }) => {
      const appended: AuditEntry[] = [];
      for (let i = 1; i <= 6; i++) appended.push(await log.append(entry(i)));
      assert.deepEqual(appended.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
      assert.equal(appended[0]?.prev, GENESIS);
      assert.match(appended[0]?.hash ?? '', /^[0-9a-f]{64}$/);
      const listed = await log.list();
      assert.deepEqual(listed, appended);
      assertValidChain(listed);
      assert.equal(await log.count(), 6);
    }));

    it('stores the detail as JSON and hashes exactly what it stores', withLog(async ({ log }) => {
      const detail = { z: 1, a: { list: [1, 'two', null, { deep: true }] }, text: 'ünïcödé 🚀 "quoted"\n', dropped: undefined, n: 0.1 };
      const e = await log.append(entry(1, detail));
      const expected = JSON.parse(JSON.stringify(detail)) as unknown;
      assert.deepEqual(e.detail, expected);
      const [stored] = await log.list();
      assert.deepEqual(stored?.detail, expected);
      assert.equal(JSON.stringify(stored?.detail), JSON.stringify(expected));
      await log.append(entry(2, null));
      await log.append(entry(3, 'a string'));
      assertValidChain(await log.list());
    }));

    it('parallel appends (from two instances when a peer is given) keep one valid chain', withLog(async ({ log, peer }) => {
      const other = peer ?? log;
      const n = 30;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? log : other).append(entry(i + 1))));
      assert.deepEqual(results.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
      const listed = await other.list();
      assert.equal(listed.length, n);
      assertValidChain(listed);
      const bySeq = new Map(results.map((e) => [e.seq, e]));
      for (const e of listed) assert.deepEqual(e, bySeq.get(e.seq), `entry ${e.seq} as returned by append`);
      assert.equal(await log.count(), n);
    }));

    it('list pages with afterSeq (exclusive) and limit', withLog(async ({ log }) => {
      for (let i = 1; i <= 12; i++) await log.append(entry(i));
      assert.deepEqual((await log.list(5, 3)).map((e) => e.seq), [6, 7, 8]);
      assert.deepEqual((await log.list(10)).map((e) => e.seq), [11, 12]);
      assert.deepEqual((await log.list(0, 2)).map((e) => e.seq), [1, 2]);
      assert.deepEqual(await log.list(12), []);
      assert.deepEqual(await log.list(100, 5), []);
      assert.equal((await log.list()).length, 12);
      const pages: AuditEntry[] = [];
      for (let after = 0; ;) {
        const page = await log.list(after, 5);
        if (page.length === 0) break;
        pages.push(...page);
        after = page[page.length - 1]!.seq;
      }
      assert.deepEqual(pages, await log.list());
    }));

    it('the backend refuses UPDATE and DELETE of entries (when the fixture can try)', withLog(async ({ log, tamper }) => {
      if (tamper === undefined) return;
      for (let i = 1; i <= 3; i++) await log.append(entry(i));
      const before = await log.list();
      await assert.rejects(tamper.update(2));
      await assert.rejects(tamper.delete(2));
      await assert.rejects(tamper.delete(3));
      assert.deepEqual(await log.list(), before);
      assert.equal(await log.count(), 3);
      const next = await log.append(entry(4));
      assert.equal(next.seq, 4);
      assertValidChain(await log.list());
    }));
  });
}
