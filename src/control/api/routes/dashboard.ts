/**
 * The web dashboard: static files served at the admin listener's root. The page itself is public (it holds no
 * data); everything it shows comes from the API with the token the user signs in with.
 */
import { readFileSync } from 'node:fs';
import type { Router } from '../router.ts';

const FILES: ReadonlyArray<[string, string, string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/dashboard/app.css', 'app.css', 'text/css; charset=utf-8'],
];

export const DASHBOARD_PATHS: readonly string[] = FILES.map((f) => f[0]);

export function registerDashboardRoutes(r: Router): void {
  for (const [path, file, type] of FILES) {
    const body = readFileSync(new URL(`../../dashboard/${file}`, import.meta.url));
    r.add({ method: 'GET', path, auth: 'none', summary: `Dashboard: ${file}`,
      handler: async (_q, res) => {
        res.setHeader('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
        return { kind: 'raw', status: 200, contentType: type, body };
      } });
  }
}
