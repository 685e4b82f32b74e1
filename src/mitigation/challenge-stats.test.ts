import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChallengeStats } from './challenge-stats.ts';

test('counts issued, solved, failed by reason, and the median solve time over a window', () => {
  const s = new ChallengeStats(3);
  assert.equal(s.snapshot().medianSolveMs, undefined);
  s.decision({ kind: 'pass', reason: 'clearance' });
  s.decision({ kind: 'serve', reason: 'challenge', difficulty: 8, clearance: 'absent', status: 403, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '' });
  s.decision({ kind: 'serve', reason: 'challenge', difficulty: 8, clearance: 'absent', status: 403, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' });
  for (const ms of [100, 300, 200]) s.verify({ ok: true, method: 'pow', solveMs: ms, url: '/', difficulty: 8 });
  s.verify({ ok: false, reason: 'bad_work' });
  s.verify({ ok: false, reason: 'bad_work' });
  s.verify({ ok: false, reason: 'expired' });
  assert.deepEqual(s.snapshot(), {
    issued: 1, solved: 3, failed: 3, failedByReason: { bad_work: 2, expired: 1 }, medianSolveMs: 200,
  });
  s.verify({ ok: true, method: 'pow', solveMs: 1000, url: '/', difficulty: 8 }); // evicts 100 → [1000, 300, 200]
  assert.equal(s.snapshot().medianSolveMs, 300);
  const even = new ChallengeStats(10);
  for (const ms of [10, 20]) even.verify({ ok: true, method: 'nojs', solveMs: ms, url: '/', difficulty: 8 });
  assert.equal(even.snapshot().medianSolveMs, 15);
});
