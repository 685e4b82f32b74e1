/** AbuseService: validation naming the field, recording, forwarding through a real (tiny) SMTP server, pending without one. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestSmtpServer as smtpServer } from './smtp-testing.ts';
import { after, before, describe, it } from 'node:test';
import { AbuseService, abuseTransparency, zoneServesHost } from './abuse.ts';
import type { AbuseDirectory } from './abuse.ts';
import { sendMail, formatMessage, parseSmtpUrl } from './smtp.ts';
import { MemoryAbuseReportStore } from '../../state/memory/memory-abuse-report-store.ts';
import { ZoneSchema } from '../../config/schema.ts';
import type { Zone } from '../../config/schema.ts';
import { ApiError } from '../api/errors.ts';

const decodeBody = (data: string): string => Buffer.from(data.split('\n\n').slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8');

function zone(name: string, extra: Record<string, unknown> = {}): Zone {
  return ZoneSchema.parse({ id: (name.replace(/[^a-f0-9]/g, '') + '0'.repeat(32)).slice(0, 32), name, created_on: 'x', modified_on: 'x', ...extra });
}

const ZONES = [
  zone('shop.test', { account: 'acme', aliases: ['*.shop.test'], settings: { abuse_contact: 'abuse@hoster.example' } }),
  zone('blog.test', { account: 'default' }),
];
const directory: AbuseDirectory = {
  zones: async () => ZONES,
  zone: async (ref) => { const z = ZONES.find((x) => x.name === ref || x.id === ref); if (!z) throw new ApiError(404, 7003, `zone "${ref}" not found`); return z; },
  ownerEmail: async (a) => (a === 'acme' ? 'owner@acme.example' : undefined),
};

const T0 = Date.UTC(2026, 10, 20, 12);

describe('AbuseService validation', () => {
  const svc = new AbuseService({ store: new MemoryAbuseReportStore(), directory, now: () => T0 });
  const fields = async (body: unknown): Promise<string[]> => {
    const r = await svc.validate(body);
    assert.equal(r.ok, false);
    return r.ok ? [] : r.errors.map((e) => e.message);
  };

  it('names every bad field', async () => {
    assert.deepEqual(await fields({}), ['host: required (the site you report, or give its url)', 'category: required (one of copyright, phishing, malware, harassment, csam, violent_threat, other)', 'description: required (what is wrong, and where)']);
    assert.deepEqual(await fields({ host: 'nope.test', category: 'spam', description: 'x' }), ['host: "nope.test" is not a site served here', 'category: "spam" is not one of copyright, phishing, malware, harassment, csam, violent_threat, other']);
    assert.deepEqual(await fields({ host: 'shop.test', category: 'phishing', description: 'x'.repeat(5001) }), ['description: longer than 5000 characters (5001)']);
    assert.deepEqual(await fields({ host: 'shop.test', category: 'copyright', description: 'my photo' }), ['reporter_email: required for copyright reports (the site owner must be able to answer the rights holder)']);
    assert.deepEqual(await fields({ host: 'shop.test', category: 'other', description: 'd', reporter_email: 'not-an-email' }), ['reporter_email: "not-an-email" is not an email address']);
    assert.deepEqual(await fields({ url: 'ftp://shop.test/x', category: 'other', description: 'd' }), ['url: "ftp://shop.test/x" is not an http or https URL']);
    assert.deepEqual(await fields({ host: 'shop.test', url: 'https://blog.test/', category: 'other', description: 'd' }), ['url: its host "blog.test" is not the reported host "shop.test"']);
    assert.deepEqual(await fields({ host: 'bad host!', category: 'other', description: 'd' }), ['host: "bad host!" is not a hostname']);
    assert.deepEqual(await fields('text'), ['body: expected form fields or a JSON object']);
    assert.deepEqual(await fields({ host: 'shop.test', category: 'other', description: 'd', reporter_name: 'a\nb' }), ['reporter_name: at most 200 characters on one line']);
  });

  it('accepts a URL alone (its host, a wildcard alias), a 5000-character description, and copyright with an email', async () => {
    const r = await svc.validate({ url: 'https://user:pw@www.shop.test/fake-login?x=1', category: 'phishing', description: 'd'.repeat(5000) });
    assert.ok(r.ok);
    assert.equal(r.report.host, 'www.shop.test');
    assert.equal(r.report.url, 'https://www.shop.test/fake-login?x=1', 'credentials in the URL are dropped');
    assert.equal(r.report.zone.name, 'shop.test');
    assert.equal(r.report.shareContact, false);
    const c = await svc.validate({ host: 'SHOP.test.', category: 'copyright', description: 'my photo', reporter_email: 'Rights@Holder.example' });
    assert.ok(c.ok);
    assert.equal(c.report.reporterEmail, 'rights@holder.example');
    assert.equal(c.report.shareContact, true, 'a copyright notice goes with its sender');
    assert.equal(zoneServesHost(ZONES[0]!, 'shop.test.evil'), false);
    assert.equal(zoneServesHost(ZONES[0]!, 'a.b.shop.test'), true);
  });

  it('create throws a 400 ApiError whose errors carry the field as path', async () => {
    await assert.rejects(svc.create({ host: 'shop.test', category: 'x', description: 'd' }), (e: unknown) => e instanceof ApiError && e.status === 400 && e.errors[0]?.path === 'category');
    const s = await svc.submit({ host: 'shop.test', description: 'd' });
    assert.deepEqual(s, { ok: false, status: 400, errors: [{ field: 'category', message: 'category: required (one of copyright, phishing, malware, harassment, csam, violent_threat, other)' }] });
  });
});

describe('AbuseService forwarding', () => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  before(async () => { smtp = await smtpServer({ refuseRcpt: 'bounce@hoster.example' }); });
  after(async () => { await smtp.close(); });

  it('without a relay: recorded, owner and hosting contact marked "forward pending"; the status page shows status and dates only', async () => {
    const store = new MemoryAbuseReportStore();
    let t = T0;
    const svc = new AbuseService({ store, directory, now: () => t++ });
    const s = await svc.submit({ host: 'shop.test', category: 'harassment', description: 'threats in comments', reporter_name: 'Ana', reporter_email: 'ana@example.org' });
    assert.ok(s.ok);
    await svc.settled();
    const r = await svc.get(s.ticket);
    assert.equal(r.status, 'received');
    assert.deepEqual(r.forwards.map((f) => [f.role, f.to, f.ok, f.detail]), [
      ['owner', 'owner@acme.example', false, 'forward pending: no SMTP relay configured'],
      ['hosting', 'abuse@hoster.example', false, 'forward pending: no SMTP relay configured'],
    ]);
    const view = await svc.status(s.ticket.toLowerCase());
    assert.deepEqual(view, { ticket: s.ticket, status: 'received', received: new Date(T0).toISOString(), updated: new Date(T0 + 2).toISOString(), forwarded: null, history: [{ status: 'received', time: new Date(T0).toISOString() }] });
    assert.doesNotMatch(JSON.stringify(view), /Ana|ana@|threats|owner@|hoster/);
    assert.equal(await svc.status('AR-0000000000000'), undefined);
    assert.equal(await svc.status('<script>'), undefined);
  });

  it('through a relay: one mail to the owner, one to the hosting contact; the report becomes forwarded', async () => {
    const before = smtp.mails.length;
    const store = new MemoryAbuseReportStore();
    const svc = new AbuseService({ store, directory, smtpUrl: smtp.url, from: 'abuse@edge.example', now: () => T0 });
    const s = await svc.submit({ url: 'https://shop.test/login', category: 'phishing', description: 'A fake bank login.\n.\nSecond paragraph ünïcödé', reporter_email: 'ana@example.org', share_contact: 'on' });
    assert.ok(s.ok);
    await svc.settled();
    const mails = smtp.mails.slice(before);
    assert.deepEqual(mails.map((m) => [m.from, m.to]), [['abuse@edge.example', ['owner@acme.example']], ['abuse@edge.example', ['abuse@hoster.example']]]);
    const m = mails[0]!;
    assert.match(m.data, new RegExp(`^Subject: \\[Abuse report ${s.ticket}\\] Phishing: shop\\.test$`, 'm'));
    assert.match(m.data, /^Reply-To: ana@example.org$/m);
    const body = decodeBody(m.data);
    assert.match(body, /Category: {2}Phishing \(phishing\)/);
    assert.match(body, /URL: {7}https:\/\/shop\.test\/login/);
    assert.match(body, /Reporter: {2}<ana@example\.org>/);
    assert.match(body, /A fake bank login\.\r\n\.\r\nSecond paragraph ünïcödé/);
    const r = await svc.get(s.ticket);
    assert.equal(r.status, 'forwarded');
    assert.equal(r.forwardedAt, T0);
    assert.deepEqual(r.forwards.map((f) => [f.role, f.ok]), [['owner', true], ['hosting', true]]);
    assert.match(r.forwards[0]!.detail, /^sent \(250 2\.0\.0 Ok: queued as T1\)$/);
    const tr = await abuseTransparency(store, '2026-11');
    assert.equal(tr.received, 1);
    assert.equal(tr.forwarded, 1);
    assert.equal(tr.by_category.phishing, 1);
    assert.equal((await abuseTransparency(store, '2026-10')).received, 0);
  });

  it('the reporter\'s contact is withheld unless shared; an owner without email and a refused recipient are recorded as failures', async () => {
    const zones = [zone('shop.test', { account: 'acme', settings: { abuse_contact: 'bounce@hoster.example' } }), zone('blog.test')];
    const dir: AbuseDirectory = { ...directory, zones: async () => zones };
    const store = new MemoryAbuseReportStore();
    const svc = new AbuseService({ store, directory: dir, smtpUrl: smtp.url, now: () => T0 });
    const before = smtp.mails.length;
    const a = await svc.submit({ host: 'shop.test', category: 'malware', description: 'drive-by download', reporter_name: 'Secret Person', reporter_email: 'secret@example.org' });
    const b = await svc.submit({ host: 'blog.test', category: 'other', description: 'x' });
    assert.ok(a.ok && b.ok);
    await svc.settled();
    const mails = smtp.mails.slice(before);
    assert.equal(mails.length, 1, 'only the owner of shop.test got mail');
    assert.doesNotMatch(mails[0]!.data + decodeBody(mails[0]!.data), /Secret|secret@/);
    assert.match(decodeBody(mails[0]!.data), /Reporter: {2}\(not shared by the reporter\)/);
    const ra = await svc.get(a.ticket);
    assert.deepEqual(ra.forwards.map((f) => [f.role, f.ok]), [['owner', true], ['hosting', false]]);
    assert.match(ra.forwards[1]!.detail, /^error: RCPT TO <bounce@hoster\.example>: 550 5\.1\.1 no such user$/);
    assert.equal(ra.status, 'forwarded');
    const rb = await svc.get(b.ticket);
    assert.deepEqual(rb.forwards.map((f) => [f.role, f.to, f.ok, f.detail]), [['owner', null, false, 'not forwarded: account "default" has no email address']]);
    assert.equal(rb.status, 'received');
  });

  it('forwardAgain sends what was pending once a relay is configured, and skips recipients that already had it', async () => {
    const store = new MemoryAbuseReportStore();
    const pending = new AbuseService({ store, directory, now: () => T0 });
    const s = await pending.create({ host: 'shop.test', category: 'malware', description: 'd' });
    await pending.settled();
    assert.equal((await pending.get(s.ticket)).forwards.filter((f) => f.ok).length, 0);
    const before = smtp.mails.length;
    const relay = new AbuseService({ store, directory, smtpUrl: smtp.url, now: () => T0 + 60_000 });
    const r = await relay.forwardAgain(s.ticket.toLowerCase());
    assert.equal(r.status, 'forwarded');
    assert.equal(r.forwardedAt, T0 + 60_000);
    assert.deepEqual(r.forwards.map((f) => [f.role, f.ok]), [['owner', false], ['hosting', false], ['owner', true], ['hosting', true]]);
    assert.equal(smtp.mails.length - before, 2);
    const again = await relay.forwardAgain(s.ticket);
    assert.equal(again.forwards.length, 4, 'nobody is sent it twice');
    assert.equal(smtp.mails.length - before, 2);
    await assert.rejects(relay.forwardAgain('AR-0000000000000'), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  it('operator status changes: closing needs a note; bad statuses are refused; list filters', async () => {
    const store = new MemoryAbuseReportStore();
    const svc = new AbuseService({ store, directory, now: () => T0 });
    const s = await svc.create({ host: 'shop.test', category: 'other', description: 'd' });
    await svc.create({ host: 'blog.test', category: 'other', description: 'd' });
    await assert.rejects(svc.setStatus(s.ticket, { status: 'closed' }), /body\.note: required to close/);
    await assert.rejects(svc.setStatus(s.ticket, { status: 'deleted' }), /body\.status: required, one of received, forwarded, closed/);
    await assert.rejects(svc.setStatus('AR-0000000000000', { status: 'closed', note: 'x' }), (e: unknown) => e instanceof ApiError && e.status === 404);
    const c = await svc.setStatus(s.ticket, { status: 'closed', note: 'host removed the page' });
    assert.equal(c.status, 'closed');
    assert.equal((await svc.list({ status: 'closed' })).length, 1);
    assert.equal((await svc.list({ zone: 'blog.test' })).length, 1);
    assert.equal((await svc.list({})).length, 2);
    await assert.rejects(svc.list({ status: 'x' }), /status: "x" is not one of/);
    await assert.rejects(svc.list({ zone: 'nope.test' }), (e: unknown) => e instanceof ApiError && e.status === 404);
  });
});

describe('SMTP client', () => {
  it('times out on a silent server, and refuses line breaks in headers', async () => {
    const silent = await smtpServer({ silent: true });
    try {
      await assert.rejects(sendMail({ from: 'a@b.example', to: ['c@d.example'], subject: 's', text: 't' }, { url: silent.url, timeoutMs: 200 }), /timed out after 200 ms/);
    } finally { await silent.close(); }
    assert.throws(() => formatMessage({ from: 'a@b.example', to: ['c@d.example'], subject: 'x\r\nBcc: evil@x.example', text: 't' }, new Date(0), 'h'), /line break/);
    await assert.rejects(sendMail({ from: 'a@b.example', to: ['c@d.example>\r\nRCPT TO:<e@f.example'], subject: 's', text: 't' }, { url: 'smtp://127.0.0.1:1' }), /not an email address/);
    assert.deepEqual(parseSmtpUrl('smtp://relay.local'), { host: 'relay.local', port: 25 });
    assert.throws(() => parseSmtpUrl('smtps://relay.local:465'), /not supported/);
    const f = formatMessage({ from: 'a@b.example', to: ['c@d.example'], subject: 'ünï', text: 'x' }, new Date(0), 'h');
    assert.ok(f.includes(`\r\nSubject: =?UTF-8?B?${Buffer.from('ünï').toString('base64')}?=\r\n`));
    assert.ok(f.endsWith('\r\n.\r\n'));
  });

  it('a closed port fails promptly with a connection error', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await assert.rejects(sendMail({ from: 'a@b.example', to: ['c@d.example'], subject: 's', text: 't' }, { url: `smtp://127.0.0.1:${port}`, timeoutMs: 5000 }), /SMTP connection failed|closed the connection/);
  });
});
