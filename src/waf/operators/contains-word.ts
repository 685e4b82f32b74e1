import { registerOperator } from './registry.ts';
import { withParam } from './string-ops.ts';
/** `@containsWord WORD` — WORD present with non-word characters (or edges) on both sides. Example: `"@containsWord select"` */
function containsWord(input: string, w: string): boolean {
  if (w === '') return true;
  let i = input.indexOf(w);
  while (i >= 0) {
    const before = i === 0 ? '' : input[i - 1] ?? '';
    const after = input[i + w.length] ?? '';
    if (!/\w/.test(before) && !/\w/.test(after)) return true;
    i = input.indexOf(w, i + 1);
  }
  return false;
}
registerOperator({ name: 'containsWord', doc: '@containsWord WORD — whole word; example: "@containsWord select"', compile: (p) => withParam(p, containsWord) });
