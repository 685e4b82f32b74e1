/**
 * Named lists (`$office_ips`, `$bad_asns`), managed through the API and resolved when an expression is compiled.
 * A list's compiled form (IpSet or Set) is cached per list object, so a large list shared by many rules is built once.
 */
import { IpSet } from '../lib/ip.ts';

export type RuleList =
  | { readonly kind: 'ip'; readonly items: readonly string[] }
  | { readonly kind: 'asn'; readonly items: readonly number[] }
  | { readonly kind: 'string'; readonly items: readonly string[] }
  /** Host names, matched case-insensitively against string fields (e.g. `http.host in $partners`). */
  | { readonly kind: 'hostname'; readonly items: readonly string[] };

/** Lists by name (without `$`): a map, or a function returning undefined for an unknown name. */
export type ListResolver = ReadonlyMap<string, RuleList> | ((name: string) => RuleList | undefined);

export function resolveList(resolver: ListResolver | undefined, name: string): RuleList | undefined {
  if (!resolver) return undefined;
  return typeof resolver === 'function' ? resolver(name) : resolver.get(name);
}

export function listNames(resolver: ListResolver | undefined): string[] {
  return resolver && typeof resolver !== 'function' ? [...resolver.keys()] : [];
}

const ipCache = new WeakMap<RuleList, IpSet>();
const asnCache = new WeakMap<RuleList, ReadonlySet<number>>();
const strCache = new WeakMap<RuleList, ReadonlySet<string>>();

/** The IpSet of an `ip` list. Throws IpSetEntryError on a bad entry. */
export function ipListSet(list: RuleList & { kind: 'ip' }): IpSet {
  let s = ipCache.get(list);
  if (!s) {
    s = IpSet.from(list.items);
    ipCache.set(list, s);
  }
  return s;
}

export function asnListSet(list: RuleList & { kind: 'asn' }): ReadonlySet<number> {
  let s = asnCache.get(list);
  if (!s) {
    s = new Set(list.items);
    asnCache.set(list, s);
  }
  return s;
}

export function stringListSet(list: RuleList & { kind: 'string' | 'hostname' }): ReadonlySet<string> {
  let s = strCache.get(list);
  if (!s) {
    s = new Set(list.kind === 'hostname' ? list.items.map((h) => h.toLowerCase()) : list.items);
    strCache.set(list, s);
  }
  return s;
}
