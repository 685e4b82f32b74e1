/**
 * Cache purge, shaped like Cloudflare's: POST /zones/:id/purge_cache with one of {"purge_everything": true},
 * {"files": [url, ...]}, {"prefixes": ["host/path", ...]}, {"tags": [...]}, {"hosts": [...]}. Every worker's cache
 * is purged before the call answers. Also the zone's cache settings.
 */
import { z } from 'zod';
import { keyForUrl } from '../../../cache/index.ts';
import type { KeyOptions } from '../../../cache/index.ts';
import { CacheSettingsSchema } from '../../../config/schema.ts';
import type { PurgeSelector } from '../../../state/cache-store.ts';
import type { ZoneService } from '../../services/zones.ts';
import type { Router } from '../router.ts';
import { ApiError, API_CODES, validationError } from '../errors.ts';

export const PurgeBodySchema = z.object({
  purge_everything: z.literal(true).optional(),
  files: z.array(z.union([z.string().min(1), z.object({ url: z.string().min(1) }).loose()])).min(1).max(10_000).optional(),
  prefixes: z.array(z.string().min(1)).min(1).max(10_000).optional(),
  tags: z.array(z.string().min(1)).min(1).max(10_000).optional(),
  hosts: z.array(z.string().min(1)).min(1).max(10_000).optional(),
}).strict().refine((b) => [b.purge_everything, b.files, b.prefixes, b.tags, b.hosts].filter((x) => x !== undefined).length === 1, {
  message: 'give exactly one of purge_everything, files, prefixes, tags, hosts',
});

/** The zone's cache-key options (zone cache settings; cache rules may override them per request). */
function zoneKeyOptions(c: { query_string?: 'raw' | 'sorted' | 'ignore'; query_include?: string[] | undefined; query_exclude?: string[] | undefined }): KeyOptions {
  return { query: c.query_string ?? 'raw', ...(c.query_include ? { includeArgs: c.query_include } : {}), ...(c.query_exclude ? { excludeArgs: c.query_exclude } : {}) };
}

export function registerCacheRoutes(r: Router, zones: ZoneService, purge: (s: PurgeSelector) => Promise<number>): void {
  r.add({ method: 'POST', path: '/client/v4/zones/:id/purge_cache', auth: 'token', permission: 'cache:purge', summary: 'Purge cached content: everything, by URL, prefix, tag or host', body: PurgeBodySchema,
    handler: async (q) => {
      const zone = await zones.get(q.params['id']!);
      const p = PurgeBodySchema.safeParse(q.body ?? {});
      if (!p.success) throw validationError(p.error);
      const b = p.data;
      let sel: PurgeSelector;
      if (b.purge_everything) sel = { kind: 'all', zone: zone.id };
      else if (b.files) {
        const keys: string[] = [];
        b.files.forEach((f, i) => {
          const url = typeof f === 'string' ? f : f.url;
          const k = keyForUrl(zone.id, url);
          if (k === undefined) throw new ApiError(400, API_CODES.validation, `body.files[${i}]: "${url}" is not an absolute URL (e.g. https://${zone.name}/path)`);
          keys.push(k);
          // --- issue 7: the key as the zone's cache-key options build it (sorted / ignored / filtered query)
          const zk = keyForUrl(zone.id, url, zoneKeyOptions(zone.cache));
          if (zk !== undefined && zk !== k) keys.push(zk);
          // ---
          // the same URL over the other scheme is the same content for visitors
          const other = url.startsWith('https:') ? 'http:' + url.slice(6) : url.startsWith('http:') ? 'https:' + url.slice(5) : undefined;
          const k2 = other === undefined ? undefined : keyForUrl(zone.id, other);
          if (k2 !== undefined) keys.push(k2);
          const zk2 = other === undefined ? undefined : keyForUrl(zone.id, other, zoneKeyOptions(zone.cache));
          if (zk2 !== undefined && zk2 !== k2) keys.push(zk2);
        });
        sel = { kind: 'keys', keys };
      } else if (b.prefixes) sel = { kind: 'prefix', prefixes: b.prefixes.map((x) => x.replace(/^https?:\/\//, '')), zone: zone.id };
      else if (b.tags) sel = { kind: 'tags', tags: b.tags, zone: zone.id };
      else sel = { kind: 'hosts', hosts: b.hosts!.map((h) => h.toLowerCase()), zone: zone.id };
      const removed = await purge(sel);
      return { kind: 'json', result: { id: zone.id, removed } };
    } });
  r.add({ method: 'GET', path: '/client/v4/zones/:id/cache/settings', auth: 'token', permission: 'zone:read', summary: 'The zone\'s cache settings',
    handler: async (q) => ({ kind: 'json', result: (await zones.get(q.params['id']!)).cache }) });
  r.add({ method: 'PATCH', path: '/client/v4/zones/:id/cache/settings', auth: 'token', permission: 'zone:edit', summary: 'Change the zone\'s cache settings (enabled, Always Online, cache-key query options, stale-while-revalidate)', body: CacheSettingsSchema.partial(),
    handler: async (q) => {
      const p = CacheSettingsSchema.partial().strict().safeParse(q.body ?? {});
      if (!p.success) throw validationError(p.error);
      return { kind: 'json', result: (await zones.update(q.params['id']!, { cache: p.data })).cache };
    } });
}
