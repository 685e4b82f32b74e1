/** rampart-managed: Rampart's own SecLang rules, shipped with the engine and run after the CRS when enabled. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function managedRules(): string {
  cached ??= readFileSync(new URL('./rampart-managed.conf', import.meta.url), 'utf8');
  return cached;
}
