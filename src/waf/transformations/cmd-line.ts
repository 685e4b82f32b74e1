import { registerTransformation } from './registry.ts';
/**
 * `t:cmdLine` — shell-evasion normalisation: deletes `\ " ' ^`, deletes spaces before `/` and `(`, turns `,` `;` and
 * whitespace runs into one space, lower-cases. Example: `C^OMMAND /C DIR` → `command/c dir`
 */
export function cmdLine(s: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    let c = s[i] as string;
    if (c === '\\' || c === '"' || c === "'" || c === '^') continue;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === ',' || c === ';') {
      if (!space) { out += ' '; space = true; }
      continue;
    }
    if ((c === '/' || c === '(') && space) out = out.slice(0, -1);
    space = false;
    if (c >= 'A' && c <= 'Z') c = c.toLowerCase();
    out += c;
  }
  return out;
}
registerTransformation({ name: 'cmdLine', doc: 't:cmdLine — `C^OMMAND /C DIR` → `command/c dir`', fn: cmdLine });
