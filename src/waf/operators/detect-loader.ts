/**
 * Loads the libinjection-style detectors from `../detect/index.ts` (written separately). Until that module exists,
 * the operators using it match nothing and a one-time warning is printed.
 */
export interface DetectModule {
  detectSqli(input: string): { isSqli: boolean; fingerprint: string };
  detectXss(input: string): boolean;
}

let mod: DetectModule | undefined;
let warned = false;

try {
  const path = '../detect/index.ts';
  mod = (await import(path)) as DetectModule;
} catch {
  mod = undefined;
}

export function detectModule(): DetectModule | undefined {
  if (!mod && !warned) {
    warned = true;
    process.emitWarning('src/waf/detect/index.ts is missing: @detectSQLi and @detectXSS match nothing', { code: 'RAMPART_WAF_NO_DETECT' });
  }
  return mod;
}
