import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileExpression, RuleError } from './index.ts';

test('the error examples in docs/rules.md are what the compiler prints', () => {
  const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Errors'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'no code block in ## Errors');
  const lines = block.trimEnd().split('\n');
  assert.equal(lines.length % 3, 0);
  let n = 0;
  for (let i = 0; i < lines.length; i += 3) {
    const expected = lines.slice(i, i + 3).join('\n');
    const src = (lines[i + 1] as string).slice(2);
    try {
      compileExpression(src);
      assert.fail(`no error for ${src}`);
    } catch (e) {
      assert.ok(e instanceof RuleError, src);
      assert.equal(e.format(), expected);
      n++;
    }
  }
  assert.ok(n >= 5);
});
