/** The audit log: paged entries (/client/v4/audit/log) and the whole chain as JSON lines (/client/v4/audit/export). */
import type { KeyObject } from 'node:crypto';
import type { AuditLog } from '../../../state/ports.ts';
import { GENESIS, signCheckpoint } from '../../services/audit.ts';
import type { CheckpointLog } from '../../services/audit.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES } from '../errors.ts';

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const v = q.get(name);
  if (v === null) return dflt;
  if (!/^\d+$/.test(v)) throw new ApiError(400, API_CODES.validation, `query.${name}: "${v}" is not a whole number`);
  return Math.min(Number(v), max);
}

function lastOf(parts: readonly string[]): number { return parts.length ? (JSON.parse(parts.at(-1)!) as { seq: number }).seq : 0; }
function lastHash(parts: readonly string[]): string { return parts.length ? (JSON.parse(parts.at(-1)!) as { hash: string }).hash : GENESIS; }

export interface AuditSigner { readonly privateKey: KeyObject; readonly publicKeyPem: string }

/** With a signer, the export ends with a signed checkpoint line and /audit/head answers a signed head. */
export function registerAuditRoutes(r: Router, log: AuditLog, signer?: AuditSigner, now: () => Date = () => new Date(), checkpoints?: CheckpointLog): void {
  r.add({ method: 'GET', path: '/client/v4/audit/head', auth: 'token', summary: 'The chain head (seq, hash), signed with the node\'s Ed25519 audit key, and the public key (PEM)',
    handler: async () => {
      const n = await log.count();
      const last = n === 0 ? undefined : (await log.list(n - 1, 1))[0];
      const head = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS };
      return { kind: 'json', result: signer ? { ...signCheckpoint(signer.privateKey, head, now().toISOString()), public_key: signer.publicKeyPem } : { type: 'head', ...head } };
    } });
  r.add({ method: 'GET', path: '/client/v4/audit/log', auth: 'token', summary: 'Audit log entries in order (?after=SEQ&limit=N, at most 1000)',
    handler: async (q) => {
      const after = intParam(q.query, 'after', 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(q.query, 'limit', 100, 1000);
      const list = await log.list(after, limit);
      return { kind: 'json', result: list, resultInfo: { count: list.length, total_count: await log.count(), next_after: list.at(-1)?.seq ?? after } };
    } });
  r.add({ method: 'GET', path: '/client/v4/audit/export', auth: 'token', summary: 'The whole audit log as JSON lines (one entry per line), for `rampart audit verify`',
    handler: async () => {
      const parts: string[] = [];
      const entryLines: string[] = [];
      const signed = new Map<number, string[]>();
      for (const c of checkpoints?.list() ?? []) signed.set(c.seq, [...(signed.get(c.seq) ?? []), JSON.stringify(c) + '\n']);
      let after = 0;
      for (;;) {
        const page = await log.list(after, 1000);
        for (const e of page) {
          const line = JSON.stringify(e) + '\n';
          parts.push(line);
          entryLines.push(line);
          // the periodic checkpoints that signed the chain at this entry
          for (const c of signed.get(e.seq) ?? []) parts.push(c);
        }
        if (page.length < 1000) break;
        after = page.at(-1)!.seq;
      }
      if (signer) parts.push(JSON.stringify(signCheckpoint(signer.privateKey, { seq: lastOf(entryLines), hash: lastHash(entryLines) }, now().toISOString())) + '\n');
      return { kind: 'raw', status: 200, contentType: 'application/x-ndjson; charset=utf-8', body: parts.join('') };
    } });
}
