import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import { withBlockTemplate } from './block-page.ts';

const random = { bytes: (n: number) => Buffer.alloc(n, 7) };
const TEMPLATE = '<p>{{status}} {{reason}} {{ray}}</p>';

function ctx(templates: { block?: string } | undefined, accept = 'text/html'): RequestContext {
  return { ray: 'ray1', host: 'shop.test', req: { headers: { accept } }, zone: { settings: { templates } } } as unknown as RequestContext;
}

function phaseOf(v: Verdict | Promise<Verdict>): Phase {
  return { name: 'waf', onRequest: () => v, onLog: () => {} };
}

test('a bodiless 403/429 becomes the template page; other verdicts and JSON clients are untouched', async () => {
  const block: Verdict = { kind: 'respond', status: 429, reason: 'ratelimit.exceeded', headers: { 'retry-after': '7' } };
  const v = withBlockTemplate(phaseOf(block), random).onRequest!(ctx({ block: TEMPLATE })) as Extract<Verdict, { kind: 'respond' }>;
  assert.equal(v.body, '<p>429 ratelimit.exceeded ray1</p>');
  assert.equal(v.headers?.['retry-after'], '7', 'the phase\'s own headers win');
  assert.match(v.headers?.['content-security-policy'] ?? '', /nonce-BwcHBwcHBwcHBwcHBwcHBw==/);
  const async = await withBlockTemplate(phaseOf(Promise.resolve({ kind: 'respond', status: 403, reason: 'waf.block' })), random).onRequest!(ctx({ block: TEMPLATE }));
  assert.equal((async as { body?: string }).body, '<p>403 waf.block ray1</p>');
  assert.equal(withBlockTemplate(phaseOf(block), random).onRequest!(ctx({ block: TEMPLATE }, 'application/json')), block);
  assert.equal(withBlockTemplate(phaseOf(block), random).onRequest!(ctx(undefined)), block);
  const c: Verdict = { kind: 'challenge', method: 'managed', reason: 'firewall.challenge' };
  assert.equal(withBlockTemplate(phaseOf(c), random).onRequest!(ctx({ block: TEMPLATE })), c);
  const page: Verdict = { kind: 'respond', status: 403, reason: 'x', body: 'own' };
  assert.equal(withBlockTemplate(phaseOf(page), random).onRequest!(ctx({ block: TEMPLATE })), page);
  assert.ok(withBlockTemplate(phaseOf(block), random).onLog !== undefined, 'onLog kept');
});
