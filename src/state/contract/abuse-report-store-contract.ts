/**
 * Contract suite for AbuseReportStore. `make(random?)` returns a fresh, empty store using `random` for tickets when
 * given. Pinned semantics: tickets are `AR-` + 13 Crockford base32 characters and never reused (a colliding draw
 * is drawn again); a new report is `received` with one history entry; every input field round-trips; `list` is
 * newest first (equal times: the later created first), filters by zone, status and `since` (inclusive), limit 100 by
 * default; `setStatus` appends to the history; the first successful forwarding sets `forwardedAt` and moves a
 * `received` report to `forwarded` (a failed one only records itself; a closed report stays closed); `counts` covers
 * [since, until): received by creation time and category, forwarded by first successful forwarding time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AbuseReportInput, AbuseReportStore } from '../ports.ts';
import type { Random } from '../../lib/clock.ts';
import { TICKET_RE } from '../abuse-ticket.ts';

export interface AbuseReportStoreFixture {
  store: AbuseReportStore;
  close(): Promise<void>;
}

const T0 = 1_780_000_000_000;

function input(i: number, over: Partial<AbuseReportInput> = {}): AbuseReportInput {
  return {
    zoneId: i % 2 === 0 ? 'z1' : 'z2', zone: i % 2 === 0 ? 'one.test' : 'two.test', host: i % 2 === 0 ? 'www.one.test' : 'two.test',
    url: i % 3 === 0 ? null : `https://one.test/p/${i}?q=ü`, category: i % 2 === 0 ? 'phishing' : 'copyright',
    description: `report ${i}: ünïcödé, "quotes", <tags> and a NUL-free line\nsecond line`,
    reporterName: i % 2 === 0 ? null : 'Ana Reporter', reporterEmail: i % 2 === 0 ? null : 'ana@example.org', shareContact: i % 2 === 1,
    created: T0 + i * 1000, ...over,
  };
}

/** A Random that replays `script` (8-byte draws) and then falls back to counting. */
export function scriptedRandom(script: Buffer[]): Random {
  let n = 0;
  return { bytes: (len) => { const b = script.shift(); if (b !== undefined) return b; const out = Buffer.alloc(len); out.writeUInt32BE(++n + 1000, len - 4); return out; } };
}

export function abuseReportStoreContract(name: string, make: (random?: Random) => Promise<AbuseReportStoreFixture>): void {
  const withStore = (fn: (f: AbuseReportStoreFixture) => Promise<void>, random?: () => Random) => async () => {
    const f = await make(random?.());
    try { await fn(f); } finally { await f.close(); }
  };

  describe(`AbuseReportStore contract: ${name}`, () => {
    it('creates a received report with an unguessable ticket; every field round-trips', withStore(async ({ store }) => {
      const a = await store.create(input(1));
      const b = await store.create(input(2));
      assert.match(a.ticket, TICKET_RE);
      assert.match(b.ticket, TICKET_RE);
      assert.notEqual(a.ticket, b.ticket);
      assert.equal(a.status, 'received');
      assert.equal(a.updated, input(1).created);
      assert.equal(a.forwardedAt, null);
      assert.deepEqual(a.forwards, []);
      assert.deepEqual(a.history, [{ time: input(1).created, status: 'received', note: '' }]);
      assert.deepEqual(await store.get(a.ticket), a);
      const { ticket: _t, status: _s, updated: _u, forwardedAt: _f, forwards: _fw, history: _h, ...rest } = a;
      assert.deepEqual(rest, input(1));
      assert.equal(await store.get('AR-0000000000000'), undefined);
    }));

    it('draws again when a ticket collides', withStore(async ({ store }) => {
      const a = await store.create(input(1));
      const b = await store.create(input(2));
      assert.equal(a.ticket, 'AR-000000000000Z');
      assert.notEqual(b.ticket, a.ticket);
      assert.match(b.ticket, TICKET_RE);
      assert.equal((await store.list()).length, 2);
    }, () => scriptedRandom([Buffer.from('000000000000001f', 'hex'), Buffer.from('000000000000001f', 'hex')])));

    it('lists newest first, filtered by zone, status and since, limit 100 by default', withStore(async ({ store }) => {
      const made = [];
      for (let i = 1; i <= 6; i++) made.push(await store.create(input(i)));
      const same = await store.create(input(9, { created: T0 + 6000 }));
      const tickets = (l: Array<{ ticket: string }>): string[] => l.map((r) => r.ticket);
      assert.deepEqual(tickets(await store.list()), [same.ticket, ...made.map((r) => r.ticket).reverse()]);
      assert.deepEqual(tickets(await store.list({ zoneId: 'z1' })), [made[5]!.ticket, made[3]!.ticket, made[1]!.ticket]);
      assert.deepEqual(await store.list({ zoneId: 'nope' }), []);
      assert.deepEqual(tickets(await store.list({ since: T0 + 5000 })), [same.ticket, made[5]!.ticket, made[4]!.ticket]);
      assert.deepEqual(tickets(await store.list({ limit: 2 })), [same.ticket, made[5]!.ticket]);
      await store.setStatus(made[2]!.ticket, 'closed', 'dup', T0 + 50_000);
      assert.deepEqual(tickets(await store.list({ status: 'closed' })), [made[2]!.ticket]);
      assert.deepEqual(tickets(await store.list({ status: 'closed', zoneId: 'z1' })), []);
      assert.equal((await store.list({ status: 'received' })).length, 6);
      for (let i = 0; i < 110; i++) await store.create(input(100 + i));
      assert.equal((await store.list()).length, 100);
      assert.equal((await store.list({ limit: 1000 })).length, 117);
    }));

    it('setStatus appends to the history; unknown tickets answer undefined', withStore(async ({ store }) => {
      const a = await store.create(input(1));
      const c = await store.setStatus(a.ticket, 'closed', 'resolved by the host', T0 + 9000);
      assert.equal(c?.status, 'closed');
      assert.equal(c?.updated, T0 + 9000);
      assert.deepEqual(c?.history.at(-1), { time: T0 + 9000, status: 'closed', note: 'resolved by the host' });
      assert.deepEqual(await store.get(a.ticket), c);
      const r = await store.setStatus(a.ticket, 'received', 'reopened', T0 + 9500);
      assert.deepEqual(r?.history.map((h) => h.status), ['received', 'closed', 'received']);
      assert.equal(await store.setStatus('AR-0000000000000', 'closed', '', T0), undefined);
      assert.equal(await store.addForward('AR-0000000000000', { role: 'owner', to: 'a@b.c', time: T0, ok: true, detail: 'x' }), undefined);
    }));

    it('records forwarding outcomes; the first success forwards the report', withStore(async ({ store }) => {
      const a = await store.create(input(2));
      const failed = { role: 'hosting' as const, to: 'abuse@host.example', time: T0 + 3000, ok: false, detail: 'forward pending: no SMTP relay configured' };
      const r1 = await store.addForward(a.ticket, failed);
      assert.equal(r1?.status, 'received');
      assert.equal(r1?.forwardedAt, null);
      assert.deepEqual(r1?.forwards, [failed]);
      const ok = { role: 'owner' as const, to: 'owner@one.test', time: T0 + 4000, ok: true, detail: 'sent (250 OK)' };
      const r2 = await store.addForward(a.ticket, ok);
      assert.equal(r2?.status, 'forwarded');
      assert.equal(r2?.forwardedAt, T0 + 4000);
      assert.deepEqual(r2?.history.at(-1), { time: T0 + 4000, status: 'forwarded', note: 'forwarded to owner' });
      const r3 = await store.addForward(a.ticket, { ...ok, role: 'hosting', time: T0 + 5000 });
      assert.equal(r3?.forwardedAt, T0 + 4000, 'only the first success counts');
      assert.equal(r3?.history.length, 2);
      assert.equal(r3?.forwards.length, 3);
      assert.deepEqual(await store.get(a.ticket), r3);

      const b = await store.create(input(4));
      await store.setStatus(b.ticket, 'closed', 'spam', T0 + 6000);
      const rb = await store.addForward(b.ticket, { ...ok, time: T0 + 7000 });
      assert.equal(rb?.status, 'closed', 'a closed report stays closed');
      assert.equal(rb?.forwardedAt, T0 + 7000);
    }));

    it('counts reports received and forwarded in a period, by category', withStore(async ({ store }) => {
      const a = await store.create(input(1)); // copyright, T0+1000
      const b = await store.create(input(2)); // phishing, T0+2000
      await store.create(input(3, { category: 'csam' })); // T0+3000
      await store.create(input(10)); // phishing, T0+10000 (outside [T0, T0+5000))
      await store.addForward(a.ticket, { role: 'owner', to: 'o@x.test', time: T0 + 4000, ok: true, detail: 'sent' });
      await store.addForward(b.ticket, { role: 'owner', to: 'o@x.test', time: T0 + 6000, ok: true, detail: 'sent' });
      const c = await store.counts(T0, T0 + 5000);
      assert.equal(c.received, 3);
      assert.equal(c.forwarded, 1);
      assert.deepEqual(c.byCategory, { copyright: 1, phishing: 1, malware: 0, harassment: 0, csam: 1, violent_threat: 0, other: 0 });
      const all = await store.counts(0, T0 + 100_000);
      assert.equal(all.received, 4);
      assert.equal(all.forwarded, 2);
      assert.equal((await store.counts(T0 + 2000, T0 + 2000)).received, 0, 'until is exclusive');
      assert.equal((await store.counts(T0 + 2000, T0 + 2001)).received, 1, 'since is inclusive');
    }));
  });
}
