import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessRuleSchema, CustomRuleSchema, RateLimitRuleSchema, RuleActionSchema } from './index.ts';

test('actions', () => {
  for (const a of ['block', 'challenge', 'js_challenge', 'managed_challenge', 'allow', 'log', 'skip']) assert.equal(RuleActionSchema.parse(a), a);
  assert.equal(RuleActionSchema.safeParse('drop').success, false);
});

test('custom rules', () => {
  const r = CustomRuleSchema.parse({ id: 'r1', expression: 'ssl', action: 'block' });
  assert.equal(r.enabled, true);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: 'ssl', action: 'skip' }).success, false);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: 'ssl', action: 'skip', action_parameters: {} }).success, false);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: 'ssl', action: 'skip', action_parameters: { phases: ['waf'] } }).success, true);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: 'ssl', action: 'block', action_parameters: { ruleset: 'current' } }).success, false);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r 1', expression: 'ssl', action: 'block' }).success, false);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: '', action: 'block' }).success, false);
  assert.equal(CustomRuleSchema.safeParse({ id: 'r1', expression: 'ssl', action: 'block', extra: 1 }).success, false);
});

test('rate-limit rules', () => {
  const ok = { id: 'rl', expression: 'http.request.uri.path eq "/login"', characteristics: ['ip.src'], period: 10, requests: 20, action: 'block', timeout: 60 };
  assert.equal(RateLimitRuleSchema.parse(ok).enabled, true);
  assert.equal(RateLimitRuleSchema.safeParse({ ...ok, period: 5 }).success, false);
  assert.equal(RateLimitRuleSchema.safeParse({ ...ok, period: 3601 }).success, false);
  assert.equal(RateLimitRuleSchema.safeParse({ ...ok, characteristics: [] }).success, false);
  assert.equal(RateLimitRuleSchema.safeParse({ ...ok, action: 'allow' }).success, false);
  assert.equal(RateLimitRuleSchema.safeParse({ ...ok, counting_status_codes: [401], counting_expression: 'ssl' }).success, true);
});

test('access rules validate the value for the target', () => {
  const ok = (target: string, value: string | number): boolean => AccessRuleSchema.safeParse({ id: 'a', mode: 'block', target, value }).success;
  assert.equal(ok('ip', '203.0.113.7'), true);
  assert.equal(ok('ip', '2001:db8::1'), true);
  assert.equal(ok('ip', '203.0.113.0/24'), false);
  assert.equal(ok('cidr', '203.0.113.0/24'), true);
  assert.equal(ok('cidr', '203.0.113.0/33'), false);
  assert.equal(ok('range', '203.0.113.5-203.0.113.9'), true);
  assert.equal(ok('range', '203.0.113.9-203.0.113.5'), false);
  assert.equal(ok('country', 'FR'), true);
  assert.equal(ok('country', 'FRA'), false);
  assert.equal(ok('asn', 64496), true);
  assert.equal(ok('asn', 'AS64496'), true);
  assert.equal(ok('asn', 'x'), false);
  assert.equal(AccessRuleSchema.safeParse({ id: 'a', mode: 'skip', target: 'ip', value: '1.1.1.1' }).success, false);
});
