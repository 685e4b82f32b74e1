import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryOf, parseJsonBody, parseMultipart, parseUrlEncoded, parseXml } from './index.ts';

test('urlencoded: decoding, empty values, argument limit', () => {
  assert.deepEqual(parseUrlEncoded('a=1+2&b=%3C&c&=x&&d='), [['a', '1 2'], ['b', '<'], ['c', ''], ['', 'x'], ['d', '']]);
  assert.equal(parseUrlEncoded('a=1&b=2&c=3', 2).length, 2);
});

test('JSON: nested keys, arrays, scalars, UTF-8 bytes, depth limit, errors', () => {
  const bytes = Buffer.from('{"a":{"b":[1,"x",null,true]},"é":"ü","e":[],"o":{}}', 'utf8').toString('latin1');
  assert.deepEqual(parseJsonBody(bytes), [
    ['json.a.b.0', '1'], ['json.a.b.1', 'x'], ['json.a.b.2', ''], ['json.a.b.3', 'true'],
    ['json.\u00c3\u00a9', '\u00c3\u00bc'], ['json.e', ''], ['json.o', ''],
  ]);
  assert.deepEqual(parseJsonBody('[1,2]'), [['json.0', '1'], ['json.1', '2']]);
  assert.throws(() => parseJsonBody('[[[[1]]]]', 2), /deeper/);
  assert.throws(() => parseJsonBody('{"a":'));
});

test('XML: text nodes, CDATA, attributes, entities; malformed input throws', () => {
  const x = parseXml('<?xml version="1.0"?><!DOCTYPE r><r a="1 &amp; 2"><b>x &lt;y</b><![CDATA[<z>]]><!-- c --><e k=\'v\'/></r>');
  assert.deepEqual(x.texts, ['x <y', '<z>']);
  assert.deepEqual(x.attrs, ['1 & 2', 'v']);
  assert.throws(() => parseXml('<a><b></a>'), /mismatched/);
  assert.throws(() => parseXml('<a>'), /unclosed/);
  assert.throws(() => parseXml('just text'), /outside the root|no root/);
  assert.throws(() => parseXml('<a/><b/>'), /more than one root/);
});

const part = (name: string, value: string, extra = ''): string => `Content-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;

test('multipart: parts, files, headers; a clean body raises no strict flag', () => {
  const body = `--B\r\n${part('a', 'one')}--B\r\n${part('f', 'data', '; filename="x.txt"')}--B--\r\n`;
  const r = parseMultipart(body, 'multipart/form-data; boundary=B');
  assert.equal(r.error, undefined);
  assert.equal(r.strictError, false);
  assert.deepEqual(r.parts.map((p) => [p.name, p.filename, p.value]), [['a', undefined, 'one'], ['f', 'x.txt', 'data']]);
  assert.deepEqual(r.parts[1]?.headerLines, ['Content-Disposition: form-data; name="f"; filename="x.txt"']);
});

test('multipart: strict flags and errors', () => {
  const ok = `--B\r\n${part('a', '1')}--B--\r\n`;
  const flags = (body: string, ct = 'multipart/form-data; boundary=B') => parseMultipart(body, ct);
  assert.equal(flags('junk\r\n' + ok).flags.DATA_BEFORE, true);
  assert.equal(flags(ok + 'trailing junk').flags.DATA_AFTER, true);
  assert.equal(flags(ok, 'multipart/form-data; boundary="B"').flags.BOUNDARY_QUOTED, true);
  assert.equal(flags(ok.replaceAll('\r\n', '\n')).flags.LF_LINE, true);
  assert.equal(flags(`--B\r\nContent-Disposition: form-data; name='a'\r\n\r\n1\r\n--B--\r\n`).flags.INVALID_QUOTING, true);
  assert.equal(flags(`--B\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\n1\r\n--B--\r\n`).flags.HEADER_FOLDING, true);
  assert.equal(flags(`--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--\r\n`).flags.INVALID_PART, true);
  assert.match(flags(`--B\r\n${part('a', '1')}`).error ?? '', /final boundary/);
  assert.match(flags(ok, 'multipart/form-data').error ?? '', /no boundary/);
  assert.equal(flags(ok.replace('--B--', '--B--')).strictError, false);
  assert.deepEqual(boundaryOf('multipart/form-data; boundary = "a b"'), { boundary: 'a b', quoted: true, whitespace: true });
});
