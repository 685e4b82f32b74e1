import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { enableSafeRegex } from '../lib/regex.ts';
import { compileExpression, createRuleRequest, RuleError, validateExpression, compileCharacteristics } from './index.ts';
import type { RuleList } from './index.ts';

enableSafeRegex();

let seed = 0x9e3779b9;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

const PIECES = [
  'http.host', 'ip.src', 'ssl', 'http.request.headers', '["x"]', '[*]', '[0]', 'any(', 'all(', 'lower(', 'len(', 'concat(', ')', '(', ',',
  'eq', '==', 'ne', 'lt', '>=', 'contains', 'matches', '~', 'wildcard', 'strict', 'in', '{', '}', '..', 'and', '&&', 'or', 'xor', 'not',
  '!', '"a"', '"(a+)+"', '"\\\\1"', 'r#"x"#', '1', '-5', '1.2.3.4', '10.0.0.0/8', '::1', 'fe80::', '$l', '$nope', 'true', 'false',
  '"', '\\', '#', '\n', ' ', '@', "'", '=', '|', '&', '1.2.3', '99999999999999999999', 'ip.src.asnum', 'http.request.uri.args',
];
const req = createRuleRequest({ ip: '1.2.3.4', uri: '/a?x=1', headers: { x: ['a', 'b'] }, ssl: true });
const lists = new Map<string, RuleList>([['l', { kind: 'ip', items: ['1.2.3.0/24'] }]]);

function check(src: string): void {
  try {
    const e = compileExpression(src, { lists });
    assert.equal(typeof e.evaluate(req), 'boolean');
  } catch (e) {
    if (!(e instanceof RuleError)) throw new Error(`non-RuleError for ${JSON.stringify(src)}: ${String(e)}`);
    assert.ok(e.line >= 1 && e.column >= 1, src);
    assert.ok(e.offset >= 0 && e.offset <= src.length, src);
    assert.equal(typeof e.format(), 'string');
  }
}

test('random token soup never throws anything but RuleError', () => {
  for (let i = 0; i < 3000; i++) {
    const n = 1 + rnd(12);
    let s = '';
    for (let j = 0; j < n; j++) s += PIECES[rnd(PIECES.length)] + (rnd(3) === 0 ? '' : ' ');
    check(s);
  }
});

test('random characters never throw anything but RuleError', () => {
  for (let i = 0; i < 2000; i++) {
    const n = rnd(40);
    let s = '';
    for (let j = 0; j < n; j++) s += String.fromCharCode(rnd(4) === 0 ? rnd(0x3000) : 32 + rnd(95));
    check(s);
    const v = validateExpression(s);
    assert.equal(typeof v.ok, 'boolean');
  }
});

test('mutated valid expressions never throw anything but RuleError', () => {
  const vectors = (JSON.parse(readFileSync(new URL('./testdata/eval-vectors.json', import.meta.url), 'utf8')) as { vectors: [string][] }).vectors;
  for (let i = 0; i < 3000; i++) {
    const base = (vectors[rnd(vectors.length)] as [string])[0];
    const at = rnd(base.length + 1);
    const op = rnd(3);
    const s = op === 0 ? base.slice(0, at) + base.slice(at + 1 + rnd(4))
      : op === 1 ? base.slice(0, at) + (PIECES[rnd(PIECES.length)] as string) + base.slice(at)
        : base.slice(0, at);
    check(s);
  }
});

test('random characteristics never throw anything but RuleError', () => {
  for (let i = 0; i < 500; i++) {
    const s = (PIECES[rnd(PIECES.length)] as string) + (PIECES[rnd(PIECES.length)] as string);
    try {
      compileCharacteristics([s])(req);
    } catch (e) {
      if (!(e instanceof RuleError)) throw new Error(`non-RuleError for ${JSON.stringify(s)}: ${String(e)}`);
    }
  }
});

test('long chains and deep nesting are handled without stack overflow', () => {
  const r = createRuleRequest({ ip: '1.1.1.1', ssl: true });
  assert.equal(compileExpression('ssl&&'.repeat(3270) + 'ssl').evaluate(r), true);
  assert.equal(compileExpression('ssl||'.repeat(3270) + 'ssl').evaluate(r), true);
  assert.equal(compileExpression('ssl^^'.repeat(3270) + 'ssl').evaluate(r), true);
  assert.equal(compileExpression('ssl^^'.repeat(3271) + 'ssl').evaluate(r), false);
  for (const s of ['!'.repeat(10_000) + 'ssl', 'lower('.repeat(2000) + 'http.host' + ')'.repeat(2000) + ' eq "a"', 'http.host' + '[0]'.repeat(5000)]) {
    assert.throws(() => compileExpression(s), RuleError);
  }
});

test('random (?i) patterns never throw anything but RuleError', () => {
  const chars = 'aZ09\\[]()^$-{},*+?|.<>=!:pPxuk';
  for (let i = 0; i < 2000; i++) {
    let p = '(?i)';
    const n = rnd(12);
    for (let j = 0; j < n; j++) p += chars[rnd(chars.length)];
    check(`http.host matches ${JSON.stringify(p)}`);
  }
});
