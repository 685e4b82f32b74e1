import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmailRewriter, decodeEmail, encodeEmail, parseAttributes } from './email-obfuscate.ts';
import type { EmailObfuscatorOptions } from './email-obfuscate.ts';

let k = 0;
const opts: EmailObfuscatorOptions = { keyByte: () => (k = (k + 37) & 0xff), host: 'shop.test' };

/** Rewrite `html` fed in pieces cut at every given size; returns the output. */
function rewrite(html: string, chunk = html.length || 1, o = opts): { out: string; n: number } {
  const r = new EmailRewriter(o);
  let out = '';
  for (let i = 0; i < html.length; i += chunk) out += r.write(html.slice(i, i + chunk));
  out += r.end();
  return { out, n: r.rewritten };
}

/** What a browser would show after the decoder ran: spans → addresses, obfuscated hrefs → mailto:. */
function decoded(out: string): string {
  return out
    .replace(/<script src="\/\.rampart\/email-decode\.js" defer="defer"(?: nonce="[^"]*")?><\/script>/g, '')
    .replace(/<span data-rampart-email="([0-9a-f]+)">\[email&#160;protected\]<\/span>/g, (_m, h: string) => decodeEmail(h))
    .replace(/\/\.rampart\/email-protection#([0-9a-f]+)/g, (_m, h: string) => 'mailto:' + decodeEmail(h));
}

test('encodeEmail / decodeEmail round trip, and the encoding does not contain the address', () => {
  for (const key of [0, 1, 0x5a, 255]) {
    const e = encodeEmail('jo.doe+x@example.co.uk', key);
    assert.equal(decodeEmail(e), 'jo.doe+x@example.co.uk');
    assert.doesNotMatch(e, /@|example/);
  }
});

test('addresses in text are rewritten, the decoder script comes once before the first', () => {
  const html = '<p>Write to jane@example.com or bob.smith@mail.example.org.</p>';
  const { out, n } = rewrite(html);
  assert.equal(n, 2);
  assert.doesNotMatch(out, /jane@|example\.com|bob\.smith/);
  assert.equal(out.match(/<script /g)?.length, 1);
  assert.ok(out.indexOf('<script ') < out.indexOf('data-rampart-email'));
  assert.equal(decoded(out), html);
});

test('every chunk boundary gives the same result (addresses, tags, comments, raw text split anywhere)', () => {
  const html = '<!doctype html><html><head><title>a@b.com</title><style>p{} /* x@y.com */</style>' +
    '<script>var s = "</scr" + "ipt> q@w.com";</script></head><body>' +
    '<!-- hidden@example.com --><p class="x>y" title=\'t@e.com\'>Mail <a href="mailto:info@shop.test?subject=Hi&amp;body=x">info@shop.test</a>,' +
    ' <A HREF=MAILTO:sales@shop.test>sales</A> and plain@example.net</p><textarea>t@example.com</textarea>' +
    '<select><option>o@example.com</option></select><svg><text>s@example.com</text></svg><p>after@example.com</p></body></html>';
  const whole = rewrite(html);
  assert.equal(whole.n, 5, whole.out);
  for (const untouched of ['<title>a@b.com</title>', '/* x@y.com */', '"</scr" + "ipt> q@w.com"', '<!-- hidden@example.com -->', "title='t@e.com'", '<textarea>t@example.com</textarea>', '<option>o@example.com</option>', '<text>s@example.com</text>']) {
    assert.ok(whole.out.includes(untouched), untouched);
  }
  const expected = decoded(whole.out);
  assert.equal(expected, html.replace('MAILTO:sales@shop.test', '"mailto:sales@shop.test"').replace('mailto:info@shop.test?subject=Hi&amp;body=x', 'mailto:info@shop.test?subject=Hi&body=x'));
  for (let size = 1; size <= 40; size++) {
    const r = rewrite(html, size);
    assert.equal(r.n, 5, `chunk ${size}`);
    assert.equal(decoded(r.out), expected, `chunk ${size}`);
  }
});

test('an address split across two chunks is found', () => {
  const r = new EmailRewriter(opts);
  const a = r.write('<p>contact: someone@exa');
  assert.doesNotMatch(a, /someone/); // held back: it may still become an address
  const b = r.write('mple.com now</p>');
  const out = a + b + r.end();
  assert.equal(r.rewritten, 1);
  assert.equal(decoded(out), '<p>contact: someone@example.com now</p>');
});

test('not addresses: no dot in the domain, bad TLD, leading at-sign, a very long run is passed through', () => {
  for (const t of ['user@localhost', 'a@b.c', '@handle', 'x@-bad.com', 'a.@b.com', 'price: 5@3.50']) {
    assert.equal(rewrite(`<p>${t}</p>`).n, 0, t);
  }
  const long = 'a'.repeat(5000) + '@example.com';
  const r = rewrite(`<p>${long}</p>`, 100);
  assert.equal(decoded(r.out), `<p>${long}</p>`);
});

test('a meta CSP that blocks the decoder stops rewriting; a nonce is carried to the script tag', () => {
  const blocked = rewrite('<meta http-equiv="Content-Security-Policy" content="script-src https://cdn.example"><p>a@example.com</p>');
  assert.equal(blocked.n, 0);
  const nonce = rewrite('<p>a@example.com</p>', 5, { ...opts, nonce: 'abc123' });
  assert.match(nonce.out, /<script src="\/\.rampart\/email-decode\.js" defer="defer" nonce="abc123"><\/script>/);
});

test('bytes outside ASCII pass through unchanged (latin1 byte transparency)', () => {
  const bytes = Buffer.from('<p>Grüße — 東京 x@example.com</p>', 'utf8');
  const r = new EmailRewriter(opts);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) out += r.write(bytes.subarray(i, i + 3).toString('latin1'));
  out += r.end();
  assert.equal(Buffer.from(decoded(out), 'latin1').toString('utf8'), '<p>Grüße — 東京 x@example.com</p>');
});

test('parseAttributes handles quotes, unquoted values and valueless attributes', () => {
  const tag = '<a download class="a b" href=\'x>y\' data-x=1 title=don\'t>';
  const attrs = parseAttributes(tag).map((a) => [a.name, tag.slice(a.start, a.end)]);
  assert.deepEqual(attrs, [['download', ''], ['class', 'a b'], ['href', 'x>y'], ['data-x', '1'], ['title', "don't"]]);
});
