/** Where the CRS lives: RAMPART_CRS_DIR, else ../shared/crs/4.28.0 relative to the repo root. */
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultCrsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['RAMPART_CRS_DIR'];
  if (fromEnv) return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(repoRoot, '..', 'shared', 'crs', '4.28.0');
}
