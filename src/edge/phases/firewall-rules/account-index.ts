/**
 * Account-wide documents of a snapshot (named lists, account-level firewall rules), indexed by account name, and a
 * per-zone compile cache whose key also covers the account's lists, so a list change recompiles the zones using it.
 */
import { CustomRuleSchema, listResolver, RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND, ACCOUNT_ACCESS_RULE_KIND } from '../../../rules/index.ts';
import type { CustomRule, RuleList, StoredList } from '../../../rules/index.ts';
import type { CompiledZone, EdgeSnapshot } from '../../../config/snapshot.ts';
import type { ConfigDoc } from '../../../state/ports.ts';

export { RULE_LIST_KIND, ACCOUNT_FIREWALL_RULE_KIND, ACCOUNT_ACCESS_RULE_KIND };

interface AccountEntry {
  lists: StoredList[];
  rules: ConfigDoc[];
  access: ConfigDoc[];
  sig: string;
  resolver?: ReadonlyMap<string, RuleList>;
}

const EMPTY_LISTS: ReadonlyMap<string, RuleList> = new Map();

export class AccountIndex {
  readonly #accounts = new Map<string, AccountEntry>();

  static from(s: EdgeSnapshot): AccountIndex {
    const ix = new AccountIndex();
    const entry = (account: string): AccountEntry => {
      let e = ix.#accounts.get(account);
      if (!e) ix.#accounts.set(account, e = { lists: [], rules: [], access: [], sig: '' });
      return e;
    };
    for (const d of s.global.get(RULE_LIST_KIND) ?? []) {
      const l = d.data as StoredList;
      if (typeof l?.account !== 'string' || typeof l.name !== 'string') continue;
      const e = entry(l.account);
      e.lists.push(l);
      e.sig += `L${d.id}@${d.modifiedOn};`;
    }
    for (const d of s.global.get(ACCOUNT_FIREWALL_RULE_KIND) ?? []) {
      const a = (d.data as { account?: unknown })?.account;
      if (typeof a !== 'string') continue;
      const e = entry(a);
      e.rules.push(d);
      e.sig += `R${d.id}@${d.modifiedOn};`;
    }
    for (const d of s.global.get(ACCOUNT_ACCESS_RULE_KIND) ?? []) {
      const a = (d.data as { account?: unknown })?.account;
      if (typeof a === 'string') entry(a).access.push(d);
    }
    return ix;
  }

  /** The account-wide access rule documents (`{ account, ...AccessRule }`). */
  accessRules(account: string): readonly ConfigDoc[] { return this.#accounts.get(account)?.access ?? []; }

  /** The account's lists by name, for the compiler. */
  lists(account: string): ReadonlyMap<string, RuleList> {
    const e = this.#accounts.get(account);
    if (!e) return EMPTY_LISTS;
    return (e.resolver ??= listResolver(e.lists));
  }

  /** The account's rule documents (account-level custom rules). */
  accountRules(account: string): readonly ConfigDoc[] { return this.#accounts.get(account)?.rules ?? []; }

  /** Changes whenever the account's lists or account-level rules change. */
  signature(account: string): string { return this.#accounts.get(account)?.sig ?? ''; }
}

/** Parse a stored account rule (`{ account, ...CustomRule }`). */
export function parseAccountRule(d: ConfigDoc): { ok: true; rule: CustomRule } | { ok: false; error: string } {
  const { account: _a, ...rest } = d.data as Record<string, unknown>;
  const r = CustomRuleSchema.safeParse(rest);
  return r.success ? { ok: true, rule: r.data } : { ok: false, error: r.error.issues[0]?.message ?? 'invalid' };
}

/**
 * Per-zone compiled artefacts keyed by the zone's documents of `kind` and by its account's signature: compiled once
 * per snapshot zone, reused across snapshots while neither changes.
 */
export function accountZoneCache<T>(kind: string, compile: (docs: readonly ConfigDoc[], zone: CompiledZone, ix: AccountIndex) => T): (zone: CompiledZone, ix: AccountIndex) => T {
  const bySnapshotZone = new WeakMap<CompiledZone, { ix: AccountIndex; v: T }>();
  const bySignature = new Map<string, { sig: string; value: T }>();
  return (zone, ix) => {
    const hit = bySnapshotZone.get(zone);
    if (hit !== undefined && hit.ix === ix) return hit.v;
    const docs = zone.owned.get(kind) ?? [];
    let sig = ix.signature(zone.account) + '|';
    for (const d of docs) sig += d.id + '@' + d.modifiedOn + ';';
    const prev = bySignature.get(zone.id);
    let v: T;
    if (prev !== undefined && prev.sig === sig) v = prev.value;
    else {
      v = compile(docs, zone, ix);
      if (bySignature.size > 100_000) bySignature.clear();
      bySignature.set(zone.id, { sig, value: v });
    }
    bySnapshotZone.set(zone, { ix, v });
    return v;
  };
}
