import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockedResponse } from './index.ts';
import type { LegalOrder } from '../../../config/legal.ts';

function order(p: Partial<LegalOrder> = {}): LegalOrder {
  return {
    id: 'o1', zone_id: 'z', zone: 'shop.test', court: 'Court <A>', case: 'C-1', date: '2026-11-01', jurisdiction: ['DE'],
    document: { name: 'd', sha256: 'a'.repeat(64), size: 1 }, hostnames: [], paths: [], geo: false, expires: null,
    status: 'in_force', received_at: '2026-11-01T10:00:00.000Z', lifted_at: null, lift_reason: null, ...p,
  };
}

test('the 451 answer: Link rel=blocked-by, HTML naming authority, case and date (escaped), JSON for API clients', () => {
  const v = blockedResponse(order(), 'https://op.example/notice/o1', 'text/html', 'ray1');
  assert.equal(v.kind, 'respond');
  if (v.kind !== 'respond') return;
  assert.equal(v.status, 451);
  assert.equal(v.headers?.['link'], '<https://op.example/notice/o1>; rel="blocked-by"');
  assert.match(v.body ?? '', /Court &#60;A&#62;/);
  assert.match(v.body ?? '', /C-1/);
  assert.match(v.body ?? '', /2026-11-01/);
  assert.match(v.body ?? '', /href="https:\/\/op.example\/notice\/o1"/);
  const j = blockedResponse(order(), 'https://n', 'application/json', 'ray1');
  assert.ok(j.kind === 'respond' && j.contentType?.startsWith('application/json'));
  assert.equal((JSON.parse(j.kind === 'respond' ? j.body ?? '' : '') as { legal_order: { case: string } }).legal_order.case, 'C-1');
});

