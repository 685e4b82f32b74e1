import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDnsListen } from './listen.ts';

test('parseDnsListen', () => {
  assert.deepEqual(parseDnsListen(':5353'), { host: '0.0.0.0', port: 5353 });
  assert.deepEqual(parseDnsListen('127.0.0.1:53'), { host: '127.0.0.1', port: 53 });
  assert.deepEqual(parseDnsListen('[::1]:5300'), { host: '::1', port: 5300 });
  assert.deepEqual(parseDnsListen('[::]'), { host: '::', port: 5353 });
  assert.deepEqual(parseDnsListen('192.0.2.1'), { host: '192.0.2.1', port: 5353 });
  assert.deepEqual(parseDnsListen('::1'), { host: '::1', port: 5353 });
  assert.throws(() => parseDnsListen('example.com:53'), /invalid DNS listen address/);
  assert.throws(() => parseDnsListen('127.0.0.1:99999'), /port/);
  assert.throws(() => parseDnsListen('127.0.0.1:x'), /port/);
});
