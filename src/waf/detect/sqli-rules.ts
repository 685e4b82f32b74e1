/**
 * Our decision rules on SQL fingerprints (token classes: see sqli-words.ts).
 *
 * A value is SQL injection when, read in some quote context, its first folded tokens form the start of a
 * dangerous SQL continuation. The rules are written as small patterns over token classes:
 *
 *   - an anchored pattern must match the start of the fingerprint; a pattern starting with "*" may match anywhere;
 *   - "$" matches the end of the fingerprint;
 *   - macros: "V" any operand (s n w v), "L" a literal operand (s n v), "O" any operator (o = i), "T" what may
 *     follow an operand in an expression ($ & | o = i c ; ) ,), "C" the same without logic operators, "f" any
 *     function (f F; "F" alone is an attack-only function), "&" any logic operator (& |).
 *   - other characters are token classes (see sqli-words.ts).
 *
 * They are grouped by the injection they describe; every group names the shape it catches and why the benign
 * shapes next to it do not match. Everything is expanded at load time into two tries, so a check is a walk of at
 * most a few dozen steps that allocates nothing.
 */

const MACROS: Readonly<Record<string, string>> = {
  V: 'snwv',
  L: 'snv',
  O: 'o=i',
  T: '$&|o=ic;),',
  C: '$o=ic;),',
  f: 'fF',
  '&': '&|',
};

/**
 * Quote breakout: the fingerprint starts with the string that the injected quote closed (in a quote context this
 * is the value's leading text; in the plain context the value itself starts with a quote). What follows must be
 * SQL, not prose: a logic operator with a literal operand and a comparison or an end, a comparison, a comment, a
 * UNION, a clause, a stacked statement. Prose with an apostrophe ("O'Brien and Smith" -> "sw&w") never has the
 * operator right after the quote; prose quoting the words 'or'/'and' gives "s&s&", which is left alone.
 */
const BREAKOUT = [
  's&sC', 's|s$', 's|w', 's&nT', 's&v', // x' OR 'a'='a / x' OR 1=1 / x' OR @a (not prose: "A," or "B")
  's&f(', // x' AND sleep(5)
  's&(', // x' OR (1=1)
  's&E', // x' OR SELECT ...
  's&wO', 's&wc', 's&w;', 's&w)', 's&w(', // x' OR col=1 / x' OR col-- / x' OR json(id)
  'sOs', 'sOn&', 'sOnO', 'sOnc', 'sOn;', 'sOn)', 'sOv', 'sOf(', 'sO(', 'sOE', 'sOc', 'sOwc', 'sok', // x'='x / x'-1 / x' LIKE 'a / x' NOTNULL--
  'sowo', 'sow&', // x" | cmd % arg (not comparisons: '<b>x</b>'; not word operators: "'Hello' in French is")
  'sF(', // x" sleep(10) "
  'sUE', 'sU(', 'sB', 'sX', 'sc', // x' UNION SELECT / x' ORDER BY / x' WAITFOR DELAY / admin'--
  's&c', // a'or?--
  's;$', 's;E', 's;X', 's;K', 's;c', 's;f', 's;U', 's;(', // x'; DROP TABLE ...
  's)&L', 's)&(', 's)&f', 's)&wO', 's)U', 's)B', 's)X', 's)c', 's);', 's)o', 's)=', 's)iL', 's)i(', 's)E', // x') OR ('1'='1
  's))&L', 's))&(', 's))&f', 's))&wO', 's))U', 's))c', 's));', 's))o', 's))=', 's))B', 's)))&', 's)))U', 's)))c', 's)));',
  'sE(', 'sEo', 'sEn', 'sEf', // x' SELECT 1
];

/**
 * Numeric injection: a value that starts with a number (or a closing paren after one) and continues with a
 * tautology, a union, a clause or a stacked statement. "1 or 2" stays clean unless followed by a comparison,
 * comment or end-of-statement.
 */
const NUMERIC = [
  'n&s', 'n&v', 'n&f(', 'n&(', 'n&E',
  'n&nO', 'n&nc', 'n&n;', 'n&n)', // 1 OR 1=1 / 1 AND 1 -- ("1 or 2" alone stays clean)
  'n&wOL', 'n&wO(', 'n&wc', // 1 OR x=1 / 1 OR true--
  'nUE', 'nU(', 'n)UE', 'n)U(', 'nBn', 'nX', 'n;E', 'n;X', 'n;K', 'n;f', 'n;c',
  'n)&', 'n))&', 'n);', 'n)c', 'n)O(',
  'nOLU', 'nO(E', // 1=1 UNION / 1=(SELECT
  'nBf(', 'nB(', // 1 GROUP BY CONCAT(...) / 1 PROCEDURE ANALYSE(...)
  'nOs&', 'nOsc', // 1='1' OR ...
];

/**
 * The tail of a WHERE clause: a value that starts with a logic operator followed by a comparison or a
 * parenthesised condition ("AND 1=1", "OR (7319=8742)", "|| x == '"). Prose starting with "and"/"or" goes on
 * with words, not with an operand and a comparison.
 */
const CLAUSE_TAIL = [
  '&LO', '&wOL', '&wo$', '&w=$', '&w==', '&wO(', '|wO', '|(w', '|(n', '&(LO', '&(wO', '&((', '&(E', '&(f(', '&f(', '&E', '&U', '&X',
];

/** Values that are a whole SQL expression or statement (function calls, SELECT, variables). */
const EXPRESSION = [
  'F(n)', 'F(n,', 'F(nn', 'F(s', 'F(v', 'F(E', 'F(f', 'F((', 'F(w(', // sleep(5), char(65), extractvalue(...)
  'f(E', 'f(f(', 'f(v', 'f(nO', // count((select ...)), exec (@x), if(1=1,...
  'Eo$', 'Eoo', 'Eon', 'Eo(', 'En', 'Ef(', 'Ev', 'Es$', 'Es,', 'E(E', 'E(f', 'E(n', 'E(v', // SELECT * / SELECT 1 / SELECT @@version
  'X$', 'Xs', 'Xn', 'Xv', 'X(', 'Xc', 'X;', // DECLARE @x / EXEC xp_cmdshell / WAITFOR DELAY '0:0:5'
  'Bf(', 'BnO', // ORDER BY if(1=1,1,sleep(1)) / HAVING COUNT(x) > 5 / HAVING 1=
  'Xw;', 'Xk', 'Xwk', // DELETE FROM users; / FROM information_schema.tables WHERE
  'F$', 'F($', '(F(', // xp_cmdshell / sleep( / (load_file(
  ';K', ';EL', ';Eo', ';Ef(', ';E(', ';Ew,', ';X', ';f(', ';U', // ;DROP ... / ;SELECT 1 / ; sleep(0)
];

/** Anywhere in the fingerprint. "UE" must not be followed by two barewords ("union select savings account"). */
const ANYWHERE = [
  '*UE$', '*UEL', '*UEw$', '*UEw,', '*UEwk', '*UEwO', '*UEo', '*UEf', '*UE(', '*UEv', '*U(E', '*UL', '*Uf(',
  '*;X', '*;Kv', '*;E(', '*;En', '*;Eo', '*;Ef(', // stacked statements
  '*Eok', '*EwB', // SELECT * FROM / SELECT x GROUP BY
  '*(En', '*(Eo', '*(Ef(', '*(Ev', '*(E(', // (SELECT 1 / (SELECT * / (SELECT sleep(5)
  '*&f(L', '*&f(f', '*&f(E', // ... AND sleep(5)
  '*LO(E', // 1=(SELECT
  '*Xs', '*Xn', // ... INTO OUTFILE '/tmp/x' / WAITFOR DELAY '0:0:5'
  '*&(E', '*i(E', // OR (SELECT / IN (SELECT
  '*&nOn', '*&sOs', // ... or 1=1 / ... or 'a'='a
  '*knOn', '*knO$', // WHERE 1=1 / ON 1=1 (also cut after the operator)
  '*F(n)', '*F(n$', // ${sleep(12)}
];

function expand(pattern: string): string[] {
  let out = [''];
  for (const ch of pattern) {
    const alts = MACROS[ch] ?? ch;
    const next: string[] = [];
    for (const prefix of out) for (const a of alts) next.push(prefix + a);
    out = next;
  }
  // A "$" may only be the last character; drop expansions with "$" inside.
  return out.filter((p) => p.indexOf('$') < 0 || p.indexOf('$') === p.length - 1);
}

/** A trie over fingerprint characters (all ASCII), so a check walks the fingerprint without allocating. */
interface Node {
  readonly next: (Node | undefined)[];
  end: boolean;
}

function node(): Node {
  return { next: new Array<Node | undefined>(128).fill(undefined), end: false };
}

function compile(patterns: readonly string[]): Node {
  const root = node();
  for (const p of patterns) {
    for (const e of expand(p)) {
      let cur = root;
      for (let i = 0; i < e.length; i++) {
        const c = e.charCodeAt(i);
        let nx = cur.next[c];
        if (nx === undefined) {
          nx = node();
          cur.next[c] = nx;
        }
        cur = nx;
      }
      cur.end = true;
    }
  }
  return root;
}

const ANCHORED = compile([...BREAKOUT, ...NUMERIC, ...CLAUSE_TAIL, ...EXPRESSION]);
const FLOATING = compile(ANYWHERE.map((p) => p.slice(1)));

/** Does a pattern of `trie` match `f` starting at `start`? */
function walk(trie: Node, f: string, start: number): boolean {
  let cur: Node | undefined = trie;
  for (let i = start; i < f.length; i++) {
    cur = cur.next[f.charCodeAt(i)];
    if (cur === undefined) return false;
    if (cur.end) return true;
  }
  return false;
}

/** Does the fingerprint (without "$") match one of the rules? */
export function matchesRules(fp: string): boolean {
  const f = fp + '$';
  if (walk(ANCHORED, f, 0)) return true;
  for (let start = 0; start < f.length - 1; start++) if (walk(FLOATING, f, start)) return true;
  return false;
}

/** Token classes that count as SQL in a MySQL executable comment (`/*!50000UNION*\/`). */
const CODE_CLASSES = 'EXUBkK&o=;fF';

/**
 * Special case for comment-based evasion: an executable comment, or a block comment glued between words
 * (SELECT/**\/password), with SQL keywords or operators around it.
 */
export function execCommentIsSql(fp: string): boolean {
  for (const ch of fp) if (CODE_CLASSES.includes(ch)) return true;
  return false;
}
