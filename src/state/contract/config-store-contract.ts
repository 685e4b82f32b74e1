/**
 * Contract suite for ConfigStore. `make` returns a fresh, empty store; when the adapter is shared by several
 * instances (processes, nodes), `peer` is a second instance on the same backend and parallel applies from both are
 * tested. Pinned semantics: the version starts at 0 and every successful apply (even an empty one) advances it by
 * exactly one; an apply is all or nothing (a unique (kind, name) clash is a ConfigConflictError and nothing of the
 * apply remains); `insert` skips an existing (kind, id) and the apply still commits; `list` and `snapshot` return
 * documents in insertion order, which an update keeps (a deleted and re-created document goes to the end); `data`
 * round-trips as JSON exactly, key order included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigConflictError } from '../ports.ts';
import type { ConfigDoc, ConfigOp, ConfigStore } from '../ports.ts';

export interface ConfigStoreFixture {
  store: ConfigStore;
  /** A second instance on the same backend (another process or node). */
  peer?: ConfigStore;
  close(): Promise<void>;
}

type NewDoc = Omit<ConfigDoc, 'modifiedOn'>;

const zone = (id: string, host: string, data: unknown = { host }): NewDoc => ({ kind: 'zone', id, zoneId: null, name: host, data });
const rule = (id: string, zoneId: string, data: unknown = { id }): NewDoc => ({ kind: 'rule', id, zoneId, name: null, data });
const put = (doc: NewDoc): ConfigOp => ({ op: 'put', doc });
const insert = (doc: NewDoc): ConfigOp => ({ op: 'insert', doc });

/** The doc without its timestamp, for comparisons. */
function plain(d: ConfigDoc | undefined): NewDoc | undefined {
  if (d === undefined) return undefined;
  return { kind: d.kind, id: d.id, zoneId: d.zoneId, name: d.name, data: d.data };
}
const ids = (docs: readonly ConfigDoc[]): string[] => docs.map((d) => `${d.kind}/${d.id}`);

export function configStoreContract(name: string, make: () => Promise<ConfigStoreFixture>): void {
  const withStore = (fn: (f: ConfigStoreFixture) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };

  describe(`ConfigStore contract: ${name}`, () => {
    it('starts empty at version 0 and each apply advances the version by exactly one', withStore(async ({ store }) => {
      assert.equal(await store.version(), 0);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.snapshot(), { version: 0, docs: [] });
      assert.equal(await store.apply([put(zone('z1', 'a.example'))]), 1);
      assert.equal(await store.version(), 1);
      assert.equal(await store.apply([put(rule('r1', 'z1')), put(rule('r2', 'z1'))]), 2);
      assert.equal(await store.apply([]), 3);
      assert.equal(await store.version(), 3);
    }));

    it('put creates, then replaces data, name and zone; modifiedOn is an ISO time', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example', { plan: 'free' }))]);
      const first = await store.get('zone', 'z1');
      assert.deepEqual(plain(first), zone('z1', 'a.example', { plan: 'free' }));
      assert.ok(first && !Number.isNaN(Date.parse(first.modifiedOn)), 'modifiedOn parses as a date');
      await store.apply([put({ kind: 'zone', id: 'z1', zoneId: 'owner', name: 'b.example', data: { plan: 'pro' } })]);
      assert.deepEqual(plain(await store.get('zone', 'z1')), { kind: 'zone', id: 'z1', zoneId: 'owner', name: 'b.example', data: { plan: 'pro' } });
      assert.equal(await store.getByName('zone', 'a.example'), undefined, 'the old name is free');
      assert.equal((await store.getByName('zone', 'b.example'))?.id, 'z1');
      assert.equal((await store.list()).length, 1);
    }));

    it('get and getByName are undefined when absent and keyed by kind', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example')), put({ kind: 'record', id: 'z1', zoneId: 'z1', name: 'a.example', data: 1 })]);
      assert.equal(await store.get('zone', 'nope'), undefined);
      assert.equal(await store.get('rule', 'z1'), undefined);
      assert.equal(await store.getByName('zone', 'nope.example'), undefined);
      assert.equal((await store.get('record', 'z1'))?.data, 1);
      assert.equal((await store.getByName('zone', 'a.example'))?.kind, 'zone');
      assert.equal((await store.getByName('record', 'a.example'))?.kind, 'record', 'the same name in another kind is no clash');
    }));

    it('insert skips an existing id, and the rest of the apply still commits', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example', { v: 1 }))]);
      const v = await store.apply([insert(zone('z1', 'other.example', { v: 2 })), insert(rule('r1', 'z1'))]);
      assert.equal(v, 2);
      assert.deepEqual(plain(await store.get('zone', 'z1')), zone('z1', 'a.example', { v: 1 }));
      assert.equal(await store.getByName('zone', 'other.example'), undefined);
      assert.deepEqual(plain(await store.get('rule', 'r1')), rule('r1', 'z1'));
    }));

    it('delete removes one document (absent is no error); deleteOwned removes a zone\'s objects, not the zone', withStore(async ({ store }) => {
      await store.apply([
        put(zone('z1', 'a.example')), put(zone('z2', 'b.example')),
        put(rule('r1', 'z1')), put(rule('r2', 'z1')), put({ kind: 'record', id: 'd1', zoneId: 'z1', name: null, data: {} }),
        put(rule('r3', 'z2')),
      ]);
      assert.equal(await store.apply([{ op: 'delete', kind: 'rule', id: 'r2' }, { op: 'delete', kind: 'rule', id: 'never' }]), 2);
      assert.equal(await store.get('rule', 'r2'), undefined);
      assert.deepEqual(ids(await store.list()), ['zone/z1', 'zone/z2', 'rule/r1', 'record/d1', 'rule/r3']);
      assert.equal(await store.apply([{ op: 'deleteOwned', zoneId: 'z1' }]), 3);
      assert.deepEqual(ids(await store.list()), ['zone/z1', 'zone/z2', 'rule/r3']);
      await store.apply([{ op: 'deleteOwned', zoneId: 'z1' }, { op: 'delete', kind: 'zone', id: 'z1' }]);
      assert.deepEqual(ids(await store.list()), ['zone/z2', 'rule/r3']);
      assert.equal(await store.getByName('zone', 'a.example'), undefined);
    }));

    it('a unique (kind, name) clash throws ConfigConflictError and rolls the whole apply back', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example')), put(rule('r1', 'z1', { keep: true }))]);
      const before = await store.snapshot();
      const attempts: ConfigOp[][] = [
        [put(rule('r9', 'z1')), { op: 'delete', kind: 'rule', id: 'r1' }, put(zone('z2', 'a.example'))],
        [put(zone('z2', 'b.example')), put({ kind: 'zone', id: 'z2', zoneId: null, name: 'a.example', data: {} })],
        [{ op: 'deleteOwned', zoneId: 'z1' }, insert(zone('z3', 'a.example'))],
      ];
      for (const ops of attempts) {
        await assert.rejects(store.apply(ops), (e: unknown) => e instanceof ConfigConflictError && e.code === 'config.conflict');
        assert.equal(await store.version(), before.version, 'the version is unchanged');
        assert.deepEqual(await store.snapshot(), before, 'no op of the failed apply remains');
      }
      // The store works normally afterwards, and null names never clash.
      assert.equal(await store.apply([put(zone('z2', 'b.example')), put(rule('r2', 'z1')), put(rule('r3', 'z2'))]), before.version + 1);
      // Freeing a name and taking it in the same apply is fine.
      await store.apply([put(zone('z1', 'renamed.example')), put(zone('z4', 'a.example'))]);
      assert.equal((await store.getByName('zone', 'a.example'))?.id, 'z4');
    }));

    it('list filters by kind and zone, in insertion order that updates keep', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example')), put(rule('r1', 'z1')), put(zone('z2', 'b.example'))]);
      await store.apply([put(rule('r2', 'z2')), put(rule('r3', 'z1')), put({ kind: 'record', id: 'd1', zoneId: 'z1', name: null, data: {} })]);
      assert.deepEqual(ids(await store.list()), ['zone/z1', 'rule/r1', 'zone/z2', 'rule/r2', 'rule/r3', 'record/d1']);
      assert.deepEqual(ids(await store.list('rule')), ['rule/r1', 'rule/r2', 'rule/r3']);
      assert.deepEqual(ids(await store.list(undefined, 'z1')), ['rule/r1', 'rule/r3', 'record/d1']);
      assert.deepEqual(ids(await store.list('rule', 'z1')), ['rule/r1', 'rule/r3']);
      assert.deepEqual(await store.list('nothing'), []);
      assert.deepEqual(await store.list('rule', 'z9'), []);
      // Updating the first documents does not move them.
      await store.apply([put(rule('r1', 'z1', { changed: true })), put(zone('z1', 'a.example', { changed: true }))]);
      assert.deepEqual(ids(await store.list()), ['zone/z1', 'rule/r1', 'zone/z2', 'rule/r2', 'rule/r3', 'record/d1']);
      // A document deleted and created again goes to the end.
      await store.apply([{ op: 'delete', kind: 'rule', id: 'r1' }]);
      await store.apply([put(rule('r1', 'z1'))]);
      assert.deepEqual(ids(await store.list('rule')), ['rule/r2', 'rule/r3', 'rule/r1']);
    }));

    it('snapshot holds every document with the version it was read at, even while applies run', withStore(async ({ store }) => {
      await store.apply([put(zone('z1', 'a.example'))]);
      const snap = await store.snapshot();
      assert.equal(snap.version, 1);
      assert.deepEqual(snap.docs, await store.list());
      // Each apply adds exactly one document, so a consistent snapshot has as many documents as its version.
      const work: Array<Promise<unknown>> = [];
      const snaps: Array<Promise<{ version: number; docs: ConfigDoc[] }>> = [];
      for (let i = 0; i < 15; i++) {
        work.push(store.apply([put(rule(`r${i}`, 'z1', { i }))]));
        snaps.push(store.snapshot());
      }
      await Promise.all(work);
      for (const s of await Promise.all(snaps)) assert.equal(s.docs.length, s.version, `snapshot at version ${s.version}`);
      const last = await store.snapshot();
      assert.equal(last.version, 16);
      assert.equal(last.docs.length, 16);
    }));

    it('data round-trips as JSON exactly (nesting, key order, unicode, numbers)', withStore(async ({ store }) => {
      const values: unknown[] = [
        { z: 1, a: 2, m: { y: [1, { b: null, a: true }], x: 'x' }, '': 'empty key' },
        ['ünïcödé', '🚀 emoji', '日本語', 'quote " backslash \\ slash / newline \n tab \t', 'nul \u0000 byte', '\u2028\u2029'],
        { n: [0, 1, -1, 0.1, 1.5e-7, 1e21, 123456789.125, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60] },
        'a bare string',
        42,
        null,
        false,
        [],
        {},
        { deep: { deeper: { deepest: { list: [[[]], [{}], ['x']] } } } },
      ];
      await store.apply(values.map((data, i) => put({ kind: 'blob', id: `b${i}`, zoneId: null, name: null, data })));
      const got = await store.list('blob');
      assert.equal(got.length, values.length);
      values.forEach((v, i) => {
        assert.deepEqual(got[i]?.data, v);
        assert.equal(JSON.stringify(got[i]?.data), JSON.stringify(v), `key order of b${i}`);
      });
      const one = await store.get('blob', 'b0');
      assert.equal(JSON.stringify(one?.data), JSON.stringify(values[0]));
      const snap = await store.snapshot();
      assert.equal(JSON.stringify(snap.docs.map((d) => d.data)), JSON.stringify(values));
      // Unicode in keys, ids and names too.
      await store.apply([put({ kind: 'zone', id: 'зона-1', zoneId: null, name: 'пример.испытание', data: { 'ключ 🔑': 'значение' } })]);
      assert.deepEqual((await store.getByName('zone', 'пример.испытание'))?.data, { 'ключ 🔑': 'значение' });
    }));

    it('parallel applies (from two instances when a peer is given) all succeed with distinct versions', withStore(async ({ store, peer }) => {
      const other = peer ?? store;
      const n = 24;
      const versions = await Promise.all(Array.from({ length: n }, (_, i) =>
        (i % 2 === 0 ? store : other).apply([put(rule(`r${i}`, 'z1', { i })), insert(zone('z1', 'shared.example'))])));
      assert.deepEqual([...versions].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
      assert.equal(await store.version(), n);
      assert.equal(await other.version(), n);
      const docs = await other.list();
      assert.equal(docs.length, n + 1);
      assert.equal((await store.list('zone')).length, 1, 'insert created the zone once');
      if (peer !== undefined) {
        await peer.apply([put(zone('z2', 'from-peer.example'))]);
        assert.equal((await store.getByName('zone', 'from-peer.example'))?.id, 'z2', 'the first instance sees the peer\'s write');
        assert.deepEqual(await store.snapshot(), await peer.snapshot());
      }
    }));
  });
}
