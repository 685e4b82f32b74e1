import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableSafeRegex } from '../../lib/regex.ts';
import { ManualClock } from '../../lib/clock.ts';

enableSafeRegex();
const { compileRulesetSync, MemoryCollectionStore, WafConfigError } = await import('../index.ts');

const H: Array<[string, string]> = [['Host', 'a.test'], ['User-Agent', 'ua']];

function run(rules: string, uri: string, opts: { body?: string; ct?: string; method?: string } = {}) {
  const rs = compileRulesetSync({ text: 'SecRuleEngine On\nSecRequestBodyAccess On\n' + rules });
  const tx = rs.newTransaction({ clientIp: '198.51.100.1' });
  const headers: Array<[string, string]> = [...H];
  if (opts.ct) headers.push(['Content-Type', opts.ct]);
  let it = tx.processRequestHeaders({ method: opts.method ?? (opts.body ? 'POST' : 'GET'), uri, headers });
  if (!it && opts.body) it = tx.appendRequestBody(Buffer.from(opts.body, 'latin1'));
  it ??= tx.processRequestBody();
  tx.processLogging();
  return { tx, it, ids: tx.matches.map((m) => m.id) };
}

test('deny interrupts with the status; detection-only logs but does not interrupt', () => {
  const r = run('SecRule ARGS:q "@contains evil" "id:10,phase:1,deny,status:406,msg:\'bad %{MATCHED_VAR_NAME}\'"', '/?q=so+evil');
  assert.deepEqual(r.it, { action: 'deny', status: 406, ruleId: 10 });
  assert.equal(r.tx.matches[0]?.msg, 'bad ARGS:q');
  assert.equal(r.tx.matches[0]?.variable, 'ARGS:q');
  const d = run('SecRuleEngine DetectionOnly\nSecRule ARGS "@contains evil" "id:10,phase:1,deny"', '/?q=evil');
  assert.equal(d.it, undefined);
  assert.deepEqual(d.ids, [10]);
});

test('chains: all links must match; setvar with macros and +=; counts; exclusions', () => {
  const rules = `
SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=0"
SecRule ARGS|!ARGS:safe "@rx ^a" "id:2,phase:1,pass,setvar:tx.score=+2,chain"
  SecRule REQUEST_METHOD "@streq GET" "setvar:'tx.last=%{MATCHED_VAR}'"
SecRule &ARGS "@eq 3" "id:3,phase:1,pass,setvar:tx.score=+10"
SecRule TX:score "@ge 14" "id:4,phase:1,deny,logdata:'score %{tx.score} last %{tx.last}'"
`;
  const r = run(rules, '/?x=abc&y=axe&safe=aaa');
  assert.deepEqual(r.ids, [2, 3, 4]);
  assert.equal(r.tx.matches[2]?.data, 'score 14 last GET');
});

test('skipAfter jumps to the marker; ctl:ruleRemoveById and ctl:ruleRemoveTargetById work at runtime', () => {
  const rules = `
SecRule ARGS:skip "@streq 1" "id:1,phase:1,pass,nolog,skipAfter:END"
SecRule ARGS "@rx ." "id:2,phase:1,pass"
SecMarker END
SecRule REQUEST_URI "@beginsWith /admin" "id:3,phase:1,pass,nolog,ctl:ruleRemoveById=5,ctl:ruleRemoveTargetById=6;ARGS:pw"
SecRule ARGS "@rx ." "id:5,phase:2,pass"
SecRule ARGS "@rx secret" "id:6,phase:2,pass"
`;
  assert.deepEqual(run(rules, '/?skip=1').ids, [5]);
  assert.deepEqual(run(rules, '/admin?pw=secret').ids, [2]);
  assert.deepEqual(run(rules, '/admin?other=secret').ids, [2, 6]);
});

test('SecDefaultAction supplies block and transformations; t:none resets them', () => {
  const rules = `
SecDefaultAction "phase:1,log,deny,status:418,t:lowercase"
SecRule ARGS "@streq abc" "id:1,phase:1,block"
`;
  assert.equal(run(rules, '/?a=ABC').it?.status, 418);
  const reset = 'SecDefaultAction "phase:1,log,deny,t:lowercase"\nSecRule ARGS "@streq abc" "id:1,phase:1,block,t:none"';
  assert.equal(run(reset, '/?a=ABC').it, undefined);
});

test('multiMatch checks every transformation stage; capture fills TX:0..', () => {
  const r = run('SecRule ARGS "@rx ^<x>$" "id:1,phase:1,pass,t:urlDecode,t:htmlEntityDecode,multiMatch"\nSecRule ARGS "@rx (\\d+)-(\\d+)" "id:2,phase:1,pass,capture,logdata:\'%{TX.2}/%{TX.1}\'"', '/?a=%26lt;x%26gt;&b=12-34');
  assert.deepEqual(r.ids, [1, 2]);
  assert.equal(r.tx.matches[1]?.data, '34/12');
});

test('bodies: urlencoded, JSON (ctl processor), multipart with files and strict flags, XML, REQBODY_ERROR', () => {
  const u = run('SecRule ARGS_POST:a "@streq 1 2" "id:1,phase:2,deny"', '/', { body: 'a=1+2&b=x', ct: 'application/x-www-form-urlencoded' });
  assert.equal(u.it?.ruleId, 1);
  const jsonRules = 'SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:100,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"\n';
  const j = run(jsonRules + 'SecRule ARGS:json.a.b.1 "@streq x" "id:1,phase:2,deny"', '/', { body: '{"a":{"b":[0,"x"]}}', ct: 'application/json' });
  assert.equal(j.it?.ruleId, 1);
  const bad = run(jsonRules + 'SecRule REQBODY_ERROR "!@eq 0" "id:2,phase:2,deny,status:400"', '/', { body: '{"a":', ct: 'application/json' });
  assert.equal(bad.it?.status, 400);
  const mp = '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.php"\r\nContent-Type: text/plain\r\n\r\n<?php ?>\r\n--XyZ\r\nContent-Disposition: form-data; name="t"\r\n\r\nhello\r\n--XyZ--\r\n';
  const m = run('SecRule FILES "@endsWith .php" "id:1,phase:2,pass"\nSecRule ARGS_POST:t "@streq hello" "id:2,phase:2,pass"\nSecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:3,phase:2,pass"\nSecRule FILES_NAMES "@streq f" "id:4,phase:2,pass"', '/', { body: mp, ct: 'multipart/form-data; boundary=XyZ' });
  assert.deepEqual(m.ids, [1, 2, 4]);
  const lf = run('SecRule MULTIPART_LF_LINE "@eq 1" "id:3,phase:2,pass"\nSecRule MULTIPART_STRICT_ERROR "@eq 1" "id:5,phase:2,pass"', '/', { body: mp.replaceAll('\r\n', '\n'), ct: 'multipart/form-data; boundary=XyZ' });
  assert.deepEqual(lf.ids, [3, 5]);
  const xmlRules = 'SecRule REQUEST_HEADERS:Content-Type "@rx xml" "id:100,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"\n';
  const x = run(xmlRules + 'SecRule XML:/* "@streq needle" "id:1,phase:2,pass"\nSecRule XML://@* "@streq attr" "id:2,phase:2,pass"', '/', { body: '<?xml version="1.0"?><r a="attr"><b>needle</b></r>', ct: 'text/xml' });
  assert.deepEqual(x.ids, [1, 2]);
});

test('response phases see status, headers and body (within the MIME types and limit)', () => {
  const rs = compileRulesetSync({ text: 'SecRuleEngine On\nSecResponseBodyAccess On\nSecResponseBodyMimeType text/html\nSecRule RESPONSE_STATUS "@streq 500" "id:1,phase:3,pass"\nSecRule RESPONSE_BODY "@contains ORA-00933" "id:2,phase:4,deny"' });
  const tx = rs.newTransaction();
  tx.processRequestHeaders({ method: 'GET', uri: '/', headers: H });
  tx.processRequestBody();
  tx.processResponseHeaders(500, [['Content-Type', 'text/html; charset=utf-8']]);
  tx.appendResponseBody(Buffer.from('<p>ORA-00933: SQL command not properly ended</p>'));
  assert.equal(tx.processResponseBody()?.ruleId, 2);
  assert.deepEqual(tx.matches.map((m) => m.id), [1, 2]);
});

test('request body limit: Reject interrupts with 413', () => {
  const rs = compileRulesetSync({ text: 'SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 10\nSecRequestBodyLimitAction Reject' });
  const tx = rs.newTransaction();
  tx.processRequestHeaders({ method: 'POST', uri: '/', headers: H });
  assert.equal(tx.appendRequestBody(Buffer.alloc(11, 97))?.status, 413);
});

test('persistent IP collection: initcol, setvar and expirevar through the store with an injected clock', () => {
  const clock = new ManualClock();
  const store = new MemoryCollectionStore(clock);
  const rs = compileRulesetSync({
    text: 'SecRuleEngine On\nSecAction "id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"\nSecRule REQUEST_URI "@streq /login" "id:2,phase:1,pass,nolog,setvar:ip.tries=+1,expirevar:ip.tries=60"\nSecRule IP:tries "@ge 3" "id:3,phase:1,deny"',
    store,
  });
  const hit = () => {
    const tx = rs.newTransaction({ clientIp: '192.0.2.1', clock });
    const it = tx.processRequestHeaders({ method: 'GET', uri: '/login', headers: H });
    tx.processLogging();
    return it;
  };
  assert.equal(hit(), undefined);
  assert.equal(hit(), undefined);
  assert.equal(hit()?.ruleId, 3);
  clock.advance(61_000);
  assert.equal(hit(), undefined, 'tries expired');
});

test('time budget: evaluation stops and is flagged; fail-closed interrupts', () => {
  const slow = Array.from({ length: 50 }, (_, i) => `SecRule ARGS "@rx (?:a|aa)+b" "id:${i + 1},phase:1,pass,t:none"`).join('\n');
  for (const mode of ['open', 'closed'] as const) {
    const rs = compileRulesetSync({ text: 'SecRuleEngine On\n' + slow, settings: { budgetMs: 0.001, budgetFailMode: mode } });
    const tx = rs.newTransaction();
    const it = tx.processRequestHeaders({ method: 'GET', uri: '/?x=' + 'a'.repeat(5000), headers: H });
    assert.equal(tx.budgetExceeded, true);
    assert.ok(tx.budgetStoppedAt >= 1 && tx.budgetStoppedAt <= 50);
    if (mode === 'open') assert.equal(it, undefined);
    else assert.deepEqual(it, { action: 'deny', status: 403, ruleId: 0 });
  }
});

test('configuration errors name the file, line, column and what was expected', () => {
  const cases: Array<[string, RegExp, number, number]> = [
    ['SecRule ARGS "@rx a" "id:1,phase:9"', /phase expects 1-5/, 1, 22],
    ['\nSecRule NOPE "@rx a" "id:1"', /unknown variable "NOPE"/, 2, 9],
    ['SecRule ARGS "@nope a" "id:1"', /unknown operator "@nope"/, 1, 14],
    ['SecRule ARGS "@rx a" "id:1,bogus:2"', /unknown action "bogus"/, 1, 22],
    ['SecRule ARGS "@rx a" "phase:1"', /expects an id action/, 1, 22],
    ['SecBogus On', /unknown directive "SecBogus"/, 1, 1],
    ['SecRule ARGS "@rx a" "id:1,chain"', /"chain" but no SecRule follows/, 1, 1],
    ['SecRule ARGS "@rx (" "id:1"', /@rx/, 1, 14],
  ];
  for (const [text, re, line, col] of cases) {
    assert.throws(() => compileRulesetSync({ text, baseDir: '/cfg' }), (e: unknown) => {
      assert.ok(e instanceof WafConfigError, String(e));
      assert.match(e.message, re);
      assert.equal(e.file, '/cfg/<inline>');
      assert.equal(e.line, line, text);
      assert.equal(e.column, col, text);
      return true;
    });
  }
});

test('SecRuleRemoveById/ByTag, SecRuleUpdateTargetById/ByTag, SecRuleUpdateActionById, Include with a glob', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'waf-inc-'));
  writeFileSync(join(dir, 'a.conf'), 'SecRule ARGS "@rx x" "id:1,phase:1,pass,tag:\'t1\'"\nSecRule ARGS "@rx x" "id:2,phase:1,pass"\n');
  writeFileSync(join(dir, 'b.conf'), 'SecRule ARGS "@rx x" "id:3,phase:1,pass,tag:\'t3\'"\nSecRule ARGS "@rx x" "id:4,phase:1,pass"\nSecRule ARGS "@rx x" "id:5,phase:1,pass"\n');
  const rs = compileRulesetSync({
    baseDir: dir,
    text: 'SecRuleEngine On\nInclude *.conf\nSecRuleRemoveById 2 5-9\nSecRuleUpdateTargetById 1 "!ARGS:skip"\nSecRuleUpdateTargetByTag t3 "REQUEST_HEADERS:X-A"\nSecRuleUpdateActionById 4 "deny,status:409"\nSecRuleRemoveByTag nothing',
  });
  assert.deepEqual(rs.rules.map((r) => r.id), [1, 3, 4]);
  const tx = rs.newTransaction();
  const it = tx.processRequestHeaders({ method: 'GET', uri: '/?skip=x', headers: [['X-A', 'x']] });
  assert.deepEqual(tx.matches.map((m) => m.id), [3, 4]);
  assert.equal(it?.status, 409);
});
