import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCharacteristics, CharacteristicError, createRuleRequest, RuleError } from './index.ts';

const a = createRuleRequest({ ip: '::ffff:203.0.113.9', uri: '/login?u=x', headers: { 'X-Api-Key': 'k1', cookie: 'sid=s1' } });
const b = createRuleRequest({ ip: '203.0.113.9', uri: '/login?u=y', headers: { 'x-api-key': 'k2', cookie: 'sid=s1' } });
const c = createRuleRequest({ ip: '2001:db8::1', uri: '/other' });

test('one characteristic gives its value; IPs are normalised', () => {
  const key = compileCharacteristics(['ip.src']);
  assert.equal(key(a), '203.0.113.9');
  assert.equal(key(a), key(b));
  assert.equal(key(c), '2001:db8::1');
});

test('combined characteristics separate clients that differ in any part', () => {
  const key = compileCharacteristics(['ip.src', 'http.request.headers["X-API-KEY"]']);
  assert.notEqual(key(a), key(b));
  assert.equal(key(a), '11:203.0.113.9;2:k1;');
  const path = compileCharacteristics(['http.request.uri.path', 'http.request.cookies["sid"]']);
  assert.equal(path(a), path(b));
  assert.notEqual(path(a), path(c));
  const arg = compileCharacteristics(['http.request.uri.args["u"][0]']);
  assert.equal(arg(a), 'x');
  assert.equal(arg(c), '');
});

test('keys are unambiguous across part boundaries', () => {
  const key = compileCharacteristics(['http.request.headers["a"]', 'http.request.headers["b"]']);
  const r1 = createRuleRequest({ ip: '1.1.1.1', headers: { a: 'x;1:y', b: '' } });
  const r2 = createRuleRequest({ ip: '1.1.1.1', headers: { a: 'x', b: 'y' } });
  assert.notEqual(key(r1), key(r2));
});

test('errors name the bad characteristic', () => {
  assert.throws(() => compileCharacteristics(['ip.src', 'ip.scr']), (e: unknown) =>
    e instanceof CharacteristicError && e.index === 1 && e.characteristic === 'ip.scr' && /characteristic 2 \("ip.scr"\): unknown field 'ip.scr'; did you mean 'ip.src'\?/.test(e.message));
  assert.throws(() => compileCharacteristics(['http.request.headers']), (e: unknown) => e instanceof CharacteristicError && /pick a key/.test(e.message));
  assert.throws(() => compileCharacteristics(['http.request.headers["a"][*]']), CharacteristicError);
  assert.throws(() => compileCharacteristics(['ip.src eq 1.2.3.4']), CharacteristicError);
  assert.throws(() => compileCharacteristics([]), RuleError);
});
