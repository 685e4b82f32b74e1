import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, validateExpression, RuleError, RuleSyntaxError, RuleTypeError } from './index.ts';

/** [source, class, code, line, column, message (exact, without position) or regex] */
const CASES: [string, 'syntax' | 'type', string, number, number, string | RegExp][] = [
  ['http.host eq', 'syntax', 'rules.syntax', 1, 13, "expected a value after 'eq', found end of input"],
  ['http.request.uri.path eq "/admin" and not ip.src eq', 'syntax', 'rules.syntax', 1, 52, "expected a value after 'eq', found end of input"],
  ['http.host eq "a" and', 'syntax', 'rules.syntax', 1, 21, "expected a condition after 'and', found end of input"],
  ['(http.host eq "a"', 'syntax', 'rules.syntax', 1, 18, "expected ')' to close the '(' at column 1, found end of input"],
  ['http.host eq "a")', 'syntax', 'rules.syntax', 1, 17, "unexpected ')' without a matching '('"],
  ['http.host = "a"', 'syntax', 'rules.syntax', 1, 11, "unexpected '='; use '==' or 'eq' to compare"],
  ["http.host eq 'a'", 'syntax', 'rules.syntax', 1, 14, /double quotes/],
  ['http.host eq "a', 'syntax', 'rules.unterminated_string', 1, 14, /unterminated string/],
  ['http.host foo "a"', 'syntax', 'rules.syntax', 1, 11, /expected an operator .* found 'foo'/],
  ['ip.src in', 'syntax', 'rules.syntax', 1, 10, "expected '{' or a list name like $my_list after 'in', found end of input"],
  ['ip.src in {}', 'syntax', 'rules.empty_set', 1, 11, /empty/],
  ['ip.src in {1.2.3.4', 'syntax', 'rules.syntax', 1, 19, /expected '}'/],
  ['http.host contains 1.2.3.4', 'type', 'rules.type', 1, 20, "expected a string after 'contains', found an IP address"],
  ['http.request.uri.pth eq "/"', 'type', 'rules.unknown_field', 1, 1, "unknown field 'http.request.uri.pth'; did you mean 'http.request.uri.path'?"],
  ['http.usr_agent contains "x"', 'type', 'rules.unknown_field', 1, 1, /did you mean 'http.user_agent'/],
  ['lowr(http.host) eq "a"', 'type', 'rules.unknown_function', 1, 1, "unknown function 'lowr'; did you mean 'lower'?"],
  ['ip.src eq 1.2.3.0/24', 'type', 'rules.type', 1, 11, /in \{1\.2\.3\.0\/24\}/],
  ['ip.src eq 1.2.3.999', 'type', 'rules.bad_ip', 1, 11, "invalid IP address '1.2.3.999'"],
  ['ip.src eq "1.2.3.4"', 'type', 'rules.type', 1, 11, "expected an IP address after 'eq', found a string; write addresses without quotes"],
  ['http.host in {"a" 2}', 'type', 'rules.type', 1, 19, /expected strings in the set .* found a number/],
  ['http.host matches "(a)\\\\1"', 'type', 'rules.bad_regex', 1, 19, /linear/],
  ['http.host matches "(?=a)b"', 'type', 'rules.bad_regex', 1, 19, /linear/],
  ['http.host matches "["', 'type', 'rules.bad_regex', 1, 19, /invalid or unsafe pattern/],
  ['http.request.headers eq "a"', 'type', 'rules.type', 1, 1, /pick a key/],
  ['http.request.headers["x"] eq "a"', 'type', 'rules.type', 1, 1, /any\(http\.request\.headers\["x"\]\[\*\] eq \.\.\.\)/],
  ['ssl eq 1', 'type', 'rules.type', 1, 8, "expected a boolean after 'eq', found a number"],
  ['http.host', 'type', 'rules.type', 1, 1, /expected a condition \(a boolean\)/],
  ['any(http.host eq "a")', 'type', 'rules.type', 1, 5, /\[\*\]/],
  ['http.request.headers["a"][*] eq "b"', 'type', 'rules.unwrapped_each', 1, 1, /any\(\.\.\.\) or all\(\.\.\.\)/],
  ['ip.src in $nope', 'type', 'rules.unknown_list', 1, 11, 'unknown list $nope'],
  ['ip.src lt 1.2.3.4', 'type', 'rules.type', 1, 1, /orders numbers or strings/],
  ['len(1) eq 1', 'type', 'rules.type', 1, 5, /argument 1 of len\(\)/],
  ['ip.src in {1.2.3.4..::1}', 'type', 'rules.bad_ip', 1, 12, /mixes IPv4 and IPv6/],
  ['http.host eq "a" and\n  ip.src eq 2', 'type', 'rules.type', 2, 13, "expected an IP address after 'eq', found a number"],
  ['not', 'syntax', 'rules.syntax', 1, 4, /after 'not'/],
  ['ip.src in {10.0.0.1-10.0.0.9}', 'syntax', 'rules.bad_ip', 1, 20, /written with '\.\.'/],
  ['http.host eq "a" ssl', 'syntax', 'rules.syntax', 1, 18, /expected 'and', 'or', 'xor' or the end/],
  ['http.host eq @', 'syntax', 'rules.syntax', 1, 14, 'unexpected character "@"'],
  ['x[', 'syntax', 'rules.syntax', 1, 3, /after '\['/],
  ['http.host ~ "a" and and ssl', 'syntax', 'rules.syntax', 1, 21, /keyword 'and'/],
  ['http.host eq "a"'.repeat(2000), 'syntax', 'rules.too_long', 1, 16385, /limit/],
  ['('.repeat(100) + 'ssl' + ')'.repeat(100), 'syntax', 'rules.too_deep', 1, 65, /nested too deeply/],
];

test('error codes, positions and messages', () => {
  for (const [src, kind, code, line, column, msg] of CASES) {
    try {
      compileExpression(src);
      assert.fail(`no error for ${src}`);
    } catch (e) {
      assert.ok(e instanceof RuleError, src);
      assert.ok(kind === 'syntax' ? e instanceof RuleSyntaxError : e instanceof RuleTypeError, `${src}: ${e.name}`);
      assert.equal(e.code, code, src);
      assert.equal(e.line, line, `${src}: line (${e.message})`);
      assert.equal(e.column, column, `${src}: column (${e.message})`);
      if (typeof msg === 'string') assert.equal(e.detail, msg, src);
      else assert.match(e.detail, msg, src);
      assert.equal(e.message, `${line}:${column}: ${e.detail}`);
    }
  }
});

test('format() prints the line with a caret under the problem', () => {
  try {
    compileExpression('http.host eq "a" and\n  http.request.body.size eq "big"');
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof RuleError);
    assert.equal(e.format(), [
      "2:29: expected a number after 'eq', found a string",
      '    http.request.body.size eq "big"',
      '                              ^^^^^',
    ].join('\n'));
  }
  try {
    compileExpression('http.host eq');
  } catch (e) {
    assert.ok(e instanceof RuleError);
    assert.equal(e.format(), "1:13: expected a value after 'eq', found end of input\n  http.host eq\n              ^");
  }
});

test('validateExpression reports instead of throwing', () => {
  assert.deepEqual(validateExpression('ssl'), { ok: true });
  const r = validateExpression('ssl and http.hots eq "a"');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.code, 'rules.unknown_field');
  assert.equal(r.error.line, 1);
  assert.equal(r.error.column, 9);
  assert.match(r.error.message, /did you mean 'http.host'/);
  assert.match(r.error.formatted, /\n {10}\^{9}$/);
});

test('toJSON for API bodies; validateExpression refuses non-strings', () => {
  try {
    compileExpression('ssl and');
  } catch (e) {
    assert.ok(e instanceof RuleError);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      code: 'rules.syntax', message: "1:8: expected a condition after 'and', found end of input",
      detail: "expected a condition after 'and', found end of input", line: 1, column: 8, offset: 7, length: 1,
    });
  }
  const r = validateExpression(42 as unknown as string);
  assert.equal(r.ok, false);
});
