/**
 * Cache rules of a zone: /client/v4/zones/:id/cache/rules, list/create/get/patch/put/delete (as firewall rules).
 * A rule: { id?, description?, enabled?, priority?, expression? | path?, action: respect_origin | bypass |
 * cache_everything, edge_ttl?, browser_ttl?, cache_key?: { query?, include? | exclude? } } (docs/cache.md).
 */
import type { Router } from '../router.ts';
import type { ZoneResourceService } from '../../services/zone-resources.ts';
import type { CacheRule } from '../../../cache/index.ts';
import { registerResourceRoutes } from './rules.ts';

export function registerCacheRuleRoutes(r: Router, svc: ZoneResourceService<CacheRule>): void {
  registerResourceRoutes(r, '/client/v4/zones/:id/cache/rules', svc, 'zone:edit');
}
