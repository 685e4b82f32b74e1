import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { leadingZeroBits, solveWork, verifyWork, workDigest } from './proof-of-work.ts';
import { WORKER_FUNCTION_JS } from './page-script.ts';

test('leadingZeroBits', () => {
  assert.equal(leadingZeroBits(Uint8Array.from([0x80])), 0);
  assert.equal(leadingZeroBits(Uint8Array.from([0x01])), 7);
  assert.equal(leadingZeroBits(Uint8Array.from([0x00, 0x20])), 10);
  assert.equal(leadingZeroBits(Uint8Array.from([0, 0])), 16);
});

test('reference solver output verifies; other nonces and higher bits do not', () => {
  const challenge = 'v1.k1.test-challenge.mac';
  for (const bits of [0, 4, 8, 12]) {
    const nonce = solveWork(challenge, bits);
    assert.ok(nonce !== undefined);
    assert.equal(verifyWork(challenge, nonce, bits), true);
    assert.ok(leadingZeroBits(workDigest(challenge, nonce)) >= bits);
  }
  const n12 = solveWork(challenge, 12) ?? '';
  const exact = leadingZeroBits(workDigest(challenge, n12));
  assert.equal(verifyWork(challenge, n12, exact + 1), false);
  assert.equal(verifyWork(challenge + 'x', n12, 12), leadingZeroBits(workDigest(challenge + 'x', n12)) >= 12);
  for (const bad of ['', '-1', '1e3', ' 1', '1'.repeat(17), '0x10']) assert.equal(verifyWork(challenge, bad, 0), false);
  assert.equal(solveWork(challenge, 30, 10), undefined);
});

type Msg = { type: string; nonce?: string; tries?: number };
function runBrowserSolver(useSubtle: boolean, challenge: string, bits: number): Promise<Msg> {
  const factory = new Function(`${WORKER_FUNCTION_JS}; return rampartWorker;`) as () => (scope: object) => void;
  return new Promise((resolve) => {
    const scope: { crypto?: typeof globalThis.crypto; onmessage: ((ev: { data: unknown }) => void) | null; postMessage: (m: Msg) => void } = {
      onmessage: null,
      postMessage: (m) => { if (m.type === 'done') resolve(m); },
      ...(useSubtle ? { crypto: globalThis.crypto } : {}),
    };
    factory()(scope);
    scope.onmessage?.({ data: { challenge, bits, batch: 64 } });
  });
}

test('the browser solver (SubtleCrypto and pure-JS paths) finds nonces the server accepts', async () => {
  const challenge = 'v1.k1.browser-solver.mac';
  for (const useSubtle of [true, false]) {
    const m = await runBrowserSolver(useSubtle, challenge, 10);
    assert.equal(m.type, 'done');
    assert.equal(verifyWork(challenge, m.nonce ?? '', 10), true, `subtle=${useSubtle}`);
    // It counts up from 0, like the reference solver: the first solution is the same.
    assert.equal(m.nonce, solveWork(challenge, 10));
  }
});

test('the pure-JS SHA-256 of the page matches node:crypto', () => {
  const factory = new Function(`${WORKER_FUNCTION_JS}; return rampartWorker;`) as () => (scope: object) => void;
  const scope: { rampartSha256?: (b: Uint8Array) => Uint8Array } = {};
  factory()(scope);
  const sha = scope.rampartSha256;
  assert.ok(sha !== undefined);
  for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
    const s = 'é'.repeat(len).slice(0, len);
    const want = createHash('sha256').update(s).digest('hex');
    assert.equal(Buffer.from(sha(new TextEncoder().encode(s))).toString('hex'), want, String(len));
  }
});
