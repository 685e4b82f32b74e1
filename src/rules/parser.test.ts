import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExpression } from './parser.ts';
import { printExpr } from './ast.ts';
import { tokenize } from './lexer.ts';

const golden = JSON.parse(readFileSync(new URL('./testdata/parser-golden.json', import.meta.url), 'utf8')) as [string, string][];

test('parser golden cases', () => {
  assert.ok(golden.length > 30);
  for (const [src, expected] of golden) {
    assert.equal(printExpr(parseExpression(src)), expected, src);
  }
});

test('printing is a fixed point: parse(print(e)) prints the same', () => {
  for (const [src] of golden) {
    const once = printExpr(parseExpression(src));
    assert.equal(printExpr(parseExpression(once)), once, src);
  }
});

test('nodes carry source spans', () => {
  const src = 'ssl and http.host eq "a"';
  const e = parseExpression(src);
  assert.equal(e.kind, 'logical');
  if (e.kind !== 'logical') return;
  assert.deepEqual([e.start, e.end], [0, src.length]);
  assert.equal(src.slice(e.right.start, e.right.end), 'http.host eq "a"');
  assert.equal(src.slice(e.opSpan.start, e.opSpan.end), 'and');
});

test('lexer: tokens and kinds', () => {
  const kinds = tokenize('a.b["x"] eq 1.2.3.4/8 in {1..2} $l ::1 ab:cd::').map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(kinds, [
    'ident:a.b', 'punct:[', 'string:x', 'punct:]', 'ident:eq', 'ip:1.2.3.4/8', 'ident:in', 'punct:{', 'int:1', 'punct:..', 'int:2',
    'punct:}', 'list:l', 'ip:::1', 'ip:ab:cd::', 'eof:',
  ]);
});
