/**
 * Per-zone compiled artefacts (rule sets, matchers) built once per snapshot: the first request of a zone in a new
 * snapshot compiles, every later one reuses. Keyed weakly by the snapshot's zone object, so a swap frees them.
 * Compilation is also reused across snapshots while the zone's documents of that kind are unchanged.
 */
import type { CompiledZone } from '../../config/snapshot.ts';
import type { ConfigDoc } from '../../state/ports.ts';

export function zoneCache<T>(kind: string, compile: (docs: readonly ConfigDoc[], zone: CompiledZone) => T): (zone: CompiledZone) => T {
  const bySnapshotZone = new WeakMap<CompiledZone, T>();
  const bySignature = new Map<string, { sig: string; value: T }>();
  return (zone) => {
    let v = bySnapshotZone.get(zone);
    if (v !== undefined) return v;
    const docs = zone.owned.get(kind) ?? [];
    let sig = '';
    for (const d of docs) sig += d.id + '@' + d.modifiedOn + ';';
    const prev = bySignature.get(zone.id);
    if (prev !== undefined && prev.sig === sig) v = prev.value;
    else {
      v = compile(docs, zone);
      if (bySignature.size > 100_000) bySignature.clear();
      bySignature.set(zone.id, { sig, value: v });
    }
    bySnapshotZone.set(zone, v);
    return v;
  };
}
