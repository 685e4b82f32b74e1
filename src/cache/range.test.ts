import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange, serveRange, headFromGet } from './range.ts';

const meta = { status: 200, size: 100, headers: { etag: '"e1"', 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT', 'content-length': '100' } };

test('parseRange', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=50-1000', 100), { start: 50, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=5-1', 100), 'invalid');
  assert.equal(parseRange('items=0-1', 100), 'invalid');
  assert.equal(parseRange('bytes=0-1,5-6', 100), 'multi');
});

test('serveRange: 206, 416, full', () => {
  assert.deepEqual(serveRange(meta, 'bytes=10-19'), {
    kind: 'partial', status: 206, range: { start: 10, end: 19 }, headers: { 'content-range': 'bytes 10-19/100', 'content-length': '10' },
  });
  assert.deepEqual(serveRange(meta, 'bytes=200-'), { kind: 'unsatisfiable', status: 416, headers: { 'content-range': 'bytes */100' } });
  assert.deepEqual(serveRange(meta, undefined), { kind: 'full' });
  assert.deepEqual(serveRange({ ...meta, status: 404 }, 'bytes=0-1'), { kind: 'full' });
  assert.deepEqual(serveRange(meta, 'bytes=0-1,3-4'), { kind: 'full' });
  assert.equal(serveRange(meta, 'bytes=0-1', '"e1"').kind, 'partial');
  assert.equal(serveRange(meta, 'bytes=0-1', '"e2"').kind, 'full');
  assert.equal(serveRange(meta, 'bytes=0-1', 'Sun, 06 Nov 1994 08:49:37 GMT').kind, 'partial');
  assert.equal(serveRange({ ...meta, headers: { etag: 'W/"e1"' } }, 'bytes=0-1', 'W/"e1"').kind, 'full');
});

test('headFromGet keeps status and headers', () => {
  assert.deepEqual(headFromGet({ status: 200, size: 5, headers: { a: 'b' } }), { status: 200, headers: { a: 'b', 'content-length': '5' } });
});
