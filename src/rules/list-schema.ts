/**
 * Named lists as the API and the config store hold them (Cloudflare's Lists shape): an account's list has a name
 * used as `$name` in expressions, a kind, and items. `toRuleList` turns one into what the compiler resolves.
 */
import { z } from 'zod';
import { parseIpEntry } from '../lib/ip.ts';
import type { RuleList } from './lists.ts';

/** Stored kind of a named list (a global config document; `data.account` names the owning account). */
export const RULE_LIST_KIND = 'rule_list';
/** Stored kind of an account-level custom rule (a global config document: `{ account, ...CustomRule }`). */
export const ACCOUNT_FIREWALL_RULE_KIND = 'account_firewall_rule';
/** Stored kind of an account-wide access rule (a global config document: `{ account, ...AccessRule }`). */
export const ACCOUNT_ACCESS_RULE_KIND = 'account_access_rule';
/** Most items a list may hold. */
export const MAX_LIST_ITEMS = 10_000;

export const ListKindSchema = z.enum(['ip', 'asn', 'hostname', 'string']);
export type ListKind = z.infer<typeof ListKindSchema>;

/** Letters, digits and `_`, as the lexer reads `$name`. */
export const ListNameSchema = z.string().min(1).max(50).regex(/^[A-Za-z0-9_]+$/, "letters, digits and '_' only (the name is used as $name)");

/** Create or rename a list. */
export const ListInputSchema = z.object({
  name: ListNameSchema,
  kind: ListKindSchema,
  description: z.string().max(500).optional(),
}).strict();

/** One item as sent to the API: exactly one of ip, asn, hostname (a string or Cloudflare's { url_hostname }), value. */
export const ListItemInputSchema = z.object({
  ip: z.string().min(1).max(100).optional(),
  asn: z.union([z.number().int().min(0).max(4294967295), z.string().regex(/^(AS)?\d{1,10}$/i)]).optional(),
  hostname: z.union([z.string().min(1).max(253), z.object({ url_hostname: z.string().min(1).max(253) }).strict()]).optional(),
  value: z.string().min(1).max(1024).optional(),
  comment: z.string().max(500).optional(),
}).strict();
export type ListItemInput = z.infer<typeof ListItemInputSchema>;

export interface StoredListItem {
  readonly id: string;
  readonly ip?: string;
  readonly asn?: number;
  readonly hostname?: { readonly url_hostname: string };
  readonly value?: string;
  readonly comment?: string;
  readonly created_on: string;
  readonly modified_on: string;
}

export interface StoredList {
  readonly id: string;
  /** The owning account's name. */
  readonly account: string;
  readonly name: string;
  readonly kind: ListKind;
  readonly description: string;
  readonly items: readonly StoredListItem[];
  readonly created_on: string;
  readonly modified_on: string;
}

const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Check an item against the list's kind; returns the stored fields or an error message. */
export function normaliseItem(kind: ListKind, item: ListItemInput): { ok: true; value: Omit<StoredListItem, 'id' | 'created_on' | 'modified_on'> } | { ok: false; error: string } {
  const comment = item.comment !== undefined ? { comment: item.comment } : {};
  const given = (['ip', 'asn', 'hostname', 'value'] as const).filter((k) => item[k] !== undefined);
  const want = kind === 'string' ? 'value' : kind;
  if (given.length !== 1 || given[0] !== want) return { ok: false, error: `a ${kind} list takes items with "${want}" only` };
  switch (kind) {
    case 'ip': {
      const text = (item.ip as string).trim();
      if (!parseIpEntry(text)) return { ok: false, error: `'${text}' is not an IP address, CIDR or range` };
      return { ok: true, value: { ip: text, ...comment } };
    }
    case 'asn': return { ok: true, value: { asn: Number(String(item.asn).replace(/^AS/i, '')), ...comment } };
    case 'hostname': {
      const h = (typeof item.hostname === 'string' ? item.hostname : (item.hostname as { url_hostname: string }).url_hostname).trim().toLowerCase();
      if (!HOSTNAME.test(h)) return { ok: false, error: `'${h}' is not a host name` };
      return { ok: true, value: { hostname: { url_hostname: h }, ...comment } };
    }
    case 'string': return { ok: true, value: { value: item.value as string, ...comment } };
  }
}

const cache = new WeakMap<object, RuleList>();

/** The compiler's view of a stored list (cached per stored object, so a snapshot converts each list once). */
export function toRuleList(l: StoredList): RuleList {
  let r = cache.get(l);
  if (r) return r;
  switch (l.kind) {
    case 'ip': r = { kind: 'ip', items: l.items.flatMap((i) => (i.ip !== undefined ? [i.ip] : [])) }; break;
    case 'asn': r = { kind: 'asn', items: l.items.flatMap((i) => (i.asn !== undefined ? [i.asn] : [])) }; break;
    case 'hostname': r = { kind: 'hostname', items: l.items.flatMap((i) => (i.hostname !== undefined ? [i.hostname.url_hostname] : [])) }; break;
    case 'string': r = { kind: 'string', items: l.items.flatMap((i) => (i.value !== undefined ? [i.value] : [])) }; break;
  }
  cache.set(l, r);
  return r;
}

/** A resolver over stored lists, by name. */
export function listResolver(lists: readonly StoredList[]): ReadonlyMap<string, RuleList> {
  return new Map(lists.map((l) => [l.name, toRuleList(l)]));
}

/** Names of lists an expression mentions (`$name`), by a light scan (for "list in use" checks). */
export function listsMentioned(expression: string): Set<string> {
  const out = new Set<string>();
  for (const m of expression.matchAll(/\$([A-Za-z0-9_]+)/g)) out.add(m[1] as string);
  return out;
}
