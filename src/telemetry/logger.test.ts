import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessLog } from './logger.ts';

test('the access log writes lines, flushes on demand, and survives flushing before it is open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
  const f = join(dir, 'logs', 'access.log');
  const log = createAccessLog(f);
  log.flush(); // not open yet: must not throw or emit an unhandled error
  log.writeLine('{"a":1}\n');
  log.write({ b: 2 });
  await new Promise((r) => setTimeout(r, 100));
  log.flush();
  assert.equal(readFileSync(f, 'utf8'), '{"a":1}\n{"b":2}\n');
  rmSync(dir, { recursive: true, force: true });
  log.writeLine('{"c":3}\n');
  log.flush(); // the file's folder is gone: still no crash
});
