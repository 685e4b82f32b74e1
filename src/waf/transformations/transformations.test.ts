import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getTransformation, transformationNames } from './index.ts';

const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Array<[string, string, string]>;

test('transformation vectors (table)', () => {
  for (const [name, input, expected] of vectors) {
    const t = getTransformation(name);
    assert.ok(t, `transformation ${name} registered`);
    assert.equal(t.fn(input), expected, `${name}(${JSON.stringify(input)})`);
  }
});

test('every transformation the CRS uses is registered, names are case-insensitive', () => {
  for (const n of ['none', 'lowercase', 'urlDecodeUni', 'htmlEntityDecode', 'jsDecode', 'cssDecode', 'cmdLine', 'normalizePath', 'normalizePathWin', 'replaceComments', 'removeNulls', 'utf8toUnicode', 'base64Decode', 'base64decode', 'hexEncode', 'length', 'sha1', 'compressWhitespace', 'removeWhitespace', 'escapeSeqDecode', 'removeCommentsChar']) {
    assert.ok(getTransformation(n), n);
  }
  assert.ok(transformationNames().length >= 30);
});
