import { isAbsolute, resolve } from 'node:path';
import { phraseTest } from './pm.ts';
import { registerOperator } from './registry.ts';

/** Read phrase/IP list files: one entry per line, `#` comments and blank lines skipped. */
export function readListFiles(param: string, baseDir: string, readFile: (p: string) => string): string[] {
  const out: string[] = [];
  for (const f of param.split(/\s+/).filter((s) => s !== '')) {
    const path = isAbsolute(f) ? f : resolve(baseDir, f);
    for (const line of readFile(path).split(/\r?\n/)) {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      out.push(t);
    }
  }
  return out;
}

/**
 * `@pmFromFile FILE...` (alias `@pmf`) — like @pm with phrases read from files (relative to the rule's file).
 * Example: `SecRule REQUEST_FILENAME "@pmFromFile restricted-files.data" "id:3,deny"`
 */
registerOperator({
  name: 'pmFromFile',
  doc: '@pmFromFile FILE — phrases from a file; example: "@pmFromFile lfi-os-files.data"',
  compile(param, ctx) {
    return phraseTest(readListFiles(param, ctx.baseDir, ctx.readFile));
  },
}, 'pmf');
