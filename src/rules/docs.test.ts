import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FIELDS, FUNCTIONS } from './index.ts';

test('docs/rules.md documents every field and function', () => {
  const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
  for (const name of FIELDS.keys()) assert.ok(doc.includes('`' + name), `field ${name} missing from docs/rules.md`);
  for (const name of FUNCTIONS.keys()) assert.ok(doc.includes('`' + name + '('), `function ${name} missing from docs/rules.md`);
});
