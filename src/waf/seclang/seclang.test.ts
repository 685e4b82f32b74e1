import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex } from './lexer.ts';
import { parseActionList } from './action-list.ts';
import { parseVariableList } from './variable-list.ts';
import { WafConfigError } from './errors.ts';

test('lexer joins continuation lines, skips comments, unescapes \\" only', () => {
  const text = [
    '# comment',
    '',
    'SecRule ARGS "@rx a\\"b\\d" \\',
    '    "id:1,\\',
    '    phase:2"',
    'SecRuleEngine On',
  ].join('\n');
  const d = lex(text, 'x.conf');
  assert.equal(d.length, 2);
  assert.equal(d[0]?.name, 'SecRule');
  assert.deepEqual(d[0]?.args, ['ARGS', '@rx a"b\\d', 'id:1,    phase:2']);
  assert.equal(d[0]?.line, 3);
  assert.deepEqual(d[0]?.argPos[2], { line: 4, column: 5 });
  assert.deepEqual(d[1]?.args, ['On']);
  assert.equal(d[1]?.line, 6);
});

test('lexer reports an unterminated quote with file, line and column', () => {
  assert.throws(() => lex('SecRuleEngine On\nSecRule ARGS "@rx x', 'r.conf'), (e: unknown) => {
    assert.ok(e instanceof WafConfigError);
    assert.equal(e.file, 'r.conf');
    assert.equal(e.line, 2);
    assert.equal(e.column, 14);
    assert.match(e.message, /expected a closing "/);
    return true;
  });
});

test('action lists: quoted values with commas and escaped quotes', () => {
  const a = parseActionList("id:1, phase:2,msg:'a, b',t:none,setvar:'tx.x=+%{tx.y}',logdata:'it\\'s',nolog");
  assert.deepEqual(a.map((x) => [x.name, x.value]), [
    ['id', '1'], ['phase', '2'], ['msg', 'a, b'], ['t', 'none'], ['setvar', 'tx.x=+%{tx.y}'], ['logdata', "it's"], ['nolog', undefined],
  ]);
});

test('variable lists: exclusions, counts, regex and quoted keys, XML xpath', () => {
  const v = parseVariableList("ARGS|!ARGS:foo|&TX:score|REQUEST_HEADERS:/^(?:x|y)-a$/|REQUEST_COOKIES:'a b'|XML:/*");
  assert.deepEqual(v, [
    { name: 'ARGS', count: false, exclude: false },
    { name: 'ARGS', key: 'foo', count: false, exclude: true },
    { name: 'TX', key: 'score', count: true, exclude: false },
    { name: 'REQUEST_HEADERS', keyRegex: '^(?:x|y)-a$', count: false, exclude: false },
    { name: 'REQUEST_COOKIES', key: 'a b', count: false, exclude: false },
    { name: 'XML', key: '/*', count: false, exclude: false },
  ]);
});
