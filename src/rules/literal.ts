/**
 * The longest literal that every match of a regex must contain, used to skip the regex when the value lacks it
 * (`includes` is far cheaper than running the pattern). Conservative: any construct not understood ends the search
 * with what was found so far or nothing; alternation at any level gives nothing.
 */

const QUANT_OPTIONAL = new Set(['?', '*']);

/** A literal of at least 2 characters that any match contains, or null. */
export function requiredLiteral(src: string): string | null {
  if (src.includes('|') || /\\[xupPkc]/.test(src)) return null;
  let best = '';
  let run = '';
  const end = (): void => { if (run.length > best.length) best = run; run = ''; };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    let lit: string | null = null;
    let len = 1;
    if (c === '\\') {
      const d = src[i + 1];
      if (d !== undefined && !/[A-Za-z0-9]/.test(d)) { lit = d; len = 2; }
      else { end(); i += 2; continue; } // \d, \w, \b, \n ... (escapes with a payload are refused above)
    } else if (c === '[') {
      end();
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    } else if (c === '(') {
      end();
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        const d = src[j];
        if (d === '\\') { j++; continue; }
        if (d === '[') { j++; while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1; continue; }
        if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      i = j + 1;
      continue;
    } else if ('.^$)]{}+?*'.includes(c)) {
      end();
      i++;
      if (c === '{') { const close = src.indexOf('}', i); i = close < 0 ? src.length : close + 1; }
      continue;
    } else lit = c;
    const next = src[i + len];
    if (next !== undefined && (QUANT_OPTIONAL.has(next) || next === '{')) {
      // the character may be absent (or repeated a bounded number of times): it ends the run
      end();
      i += len;
      continue;
    }
    run += lit;
    i += len;
    if (next === '+') end(); // "a+" still needs one "a", but what follows need not come right after it
  }
  end();
  return best.length >= 2 ? best : null;
}
