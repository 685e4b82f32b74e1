import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCustomRules, compileRateLimitRule, createRuleRequest, CustomRuleSchema, evaluateRules, RateLimitRuleSchema, RuleCompileError,
} from './index.ts';
import type { CustomRule } from './index.ts';

const rule = (r: Record<string, unknown>): CustomRule => CustomRuleSchema.parse(r);
const admin = createRuleRequest({ ip: '203.0.113.5', uri: '/admin', method: 'POST' });
const office = createRuleRequest({ ip: '198.51.100.5', uri: '/admin' });
const home = createRuleRequest({ ip: '192.0.2.1', uri: '/' });

test('first terminating match wins; log records and continues; disabled rules are dropped', () => {
  const rules = compileCustomRules([
    rule({ id: 'off', expression: 'true', action: 'block', enabled: false }),
    rule({ id: 'log-admin', expression: 'http.request.uri.path eq "/admin"', action: 'log' }),
    rule({ id: 'block-admin', expression: 'http.request.uri.path eq "/admin" and not ip.src in {198.51.100.0/24}', action: 'block' }),
    rule({ id: 'challenge-post', expression: 'http.request.method eq "POST"', action: 'managed_challenge' }),
  ]);
  assert.deepEqual(rules.map((r) => r.id), ['log-admin', 'block-admin', 'challenge-post']);
  const o = evaluateRules(rules, admin);
  assert.equal(o.terminal?.id, 'block-admin');
  assert.deepEqual(o.logged.map((r) => r.id), ['log-admin']);
  const o2 = evaluateRules(rules, office);
  assert.equal(o2.terminal, null);
  assert.deepEqual(o2.logged.map((r) => r.id), ['log-admin']);
  const o3 = evaluateRules(rules, home);
  assert.equal(o3.terminal, null);
  assert.equal(o3.logged.length, 0);
});

test('allow ends evaluation', () => {
  const rules = compileCustomRules([
    rule({ id: 'allow-office', expression: 'ip.src in {198.51.100.0/24}', action: 'allow' }),
    rule({ id: 'block-all', expression: 'true', action: 'block' }),
  ]);
  assert.equal(evaluateRules(rules, office).terminal?.id, 'allow-office');
  assert.equal(evaluateRules(rules, home).terminal?.id, 'block-all');
});

test('skip: the rest of the ruleset, named rules, phases and products', () => {
  const rules = compileCustomRules([
    rule({ id: 'skip-waf', expression: 'ip.src in {198.51.100.0/24}', action: 'skip', action_parameters: { phases: ['waf', 'rate_limit'], products: ['reputation'], rules: ['block-admin'] } }),
    rule({ id: 'block-admin', expression: 'http.request.uri.path eq "/admin"', action: 'block' }),
    rule({ id: 'skip-rest', expression: 'http.request.uri.path eq "/"', action: 'skip', action_parameters: { ruleset: 'current' } }),
    rule({ id: 'block-all', expression: 'true', action: 'block' }),
  ]);
  const o = evaluateRules(rules, office);
  assert.equal(o.terminal?.id, 'block-all', 'block-admin was skipped; block-all still applies');
  assert.deepEqual([...o.skipPhases].sort(), ['rate_limit', 'waf']);
  assert.deepEqual([...o.skipProducts], ['reputation']);
  assert.deepEqual(o.skippedBy.map((r) => r.id), ['skip-waf']);
  const h = evaluateRules(rules, home);
  assert.equal(h.terminal, null, 'skip ruleset=current stops before block-all');
  assert.deepEqual(h.skippedBy.map((r) => r.id), ['skip-rest']);
  assert.equal(evaluateRules(rules, admin).terminal?.id, 'block-admin');
});

test('priority orders rules; unprioritised keep their order after', () => {
  const rules = compileCustomRules([
    rule({ id: 'a', expression: 'true', action: 'log' }),
    rule({ id: 'b', expression: 'true', action: 'log', priority: 5 }),
    rule({ id: 'c', expression: 'true', action: 'log', priority: 1 }),
    rule({ id: 'd', expression: 'true', action: 'log' }),
  ]);
  assert.deepEqual(rules.map((r) => r.id), ['c', 'b', 'a', 'd']);
});

test('compile errors name the rule and keep the position', () => {
  assert.throws(() => compileCustomRules([rule({ id: 'ok', expression: 'ssl', action: 'log' }), rule({ id: 'bad', expression: 'ssl and htp.host eq "a"', action: 'block' })]),
    (e: unknown) => e instanceof RuleCompileError && e.ruleId === 'bad' && e.column === 9 && /rule bad, expression: unknown field 'htp.host'/.test(e.message));
});

test('rate-limit rule: matcher, counting expression and key', () => {
  const rl = compileRateLimitRule(RateLimitRuleSchema.parse({
    id: 'login', expression: 'http.request.uri.path eq "/login"', counting_expression: 'http.request.method eq "POST"',
    characteristics: ['ip.src', 'http.request.headers["x-api-key"]'], period: 10, requests: 20, action: 'block', timeout: 60,
  }));
  const r = createRuleRequest({ ip: '1.2.3.4', uri: '/login', method: 'POST', headers: { 'x-api-key': 'k' } });
  assert.equal(rl.expression.evaluate(r), true);
  assert.equal(rl.counting?.evaluate(r), true);
  assert.equal(rl.key(r), '7:1.2.3.4;1:k;');
  assert.throws(() => compileRateLimitRule(RateLimitRuleSchema.parse({
    id: 'x', expression: 'ssl', characteristics: ['ip.src', 'nope'], period: 10, requests: 1, action: 'log', timeout: 0,
  })), (e: unknown) => e instanceof RuleCompileError && e.property === 'characteristics' && /characteristic 2/.test(e.message));
});
