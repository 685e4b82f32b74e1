/** The functions of the language. Each checks its argument types at compile time and has a pure implementation. */
import type { Value } from './fields.ts';
import { percentDecode } from './request.ts';
import { BOOL, INT, STRING, sameType, typeName } from './types.ts';
import type { Type } from './types.ts';

export type CheckResult = { readonly type: Type } | { readonly error: string; readonly arg: number };

export interface FunctionDef {
  readonly name: string;
  readonly signature: string;
  readonly description: string;
  readonly example: string;
  /** `any`/`all` reduce a `[*]` condition; `scalar` functions apply to each element when an argument uses `[*]`. */
  readonly kind: 'scalar' | 'any' | 'all';
  readonly check: (args: readonly Type[]) => CheckResult;
  readonly impl: (args: readonly Value[]) => Value;
  /** Allocation-free forms used by the compiler for one- and two-argument calls. */
  readonly fast1?: (a: Value) => Value;
  readonly fast2?: (a: Value, b: Value) => Value;
}

const want = (args: readonly Type[], types: readonly Type[], name: string): CheckResult | undefined => {
  if (args.length !== types.length) {
    return { error: `${name}() takes ${types.length} argument${types.length === 1 ? '' : 's'}, found ${args.length}`, arg: -1 };
  }
  for (let i = 0; i < types.length; i++) {
    const a = args[i] as Type;
    const t = types[i] as Type;
    if (!sameType(a, t)) return { error: `expected ${typeName(t)} as argument ${i + 1} of ${name}(), found ${typeName(a)}`, arg: i };
  }
  return undefined;
};

const str = (v: Value | undefined): string => (typeof v === 'string' ? v : '');

const DEFS: FunctionDef[] = [
  {
    name: 'lower', signature: 'lower(String) -> String', kind: 'scalar',
    description: 'Lower-cases a string.', example: 'lower(http.host) eq "shop.test"',
    check: (a) => want(a, [STRING], 'lower') ?? { type: STRING },
    impl: (a) => str(a[0]).toLowerCase(),
    fast1: (a) => str(a).toLowerCase(),
  },
  {
    name: 'upper', signature: 'upper(String) -> String', kind: 'scalar',
    description: 'Upper-cases a string.', example: 'upper(http.request.method) eq "POST"',
    check: (a) => want(a, [STRING], 'upper') ?? { type: STRING },
    impl: (a) => str(a[0]).toUpperCase(),
    fast1: (a) => str(a).toUpperCase(),
  },
  {
    name: 'len', signature: 'len(String | Array) -> Int', kind: 'scalar',
    description: 'Length of a string (UTF-16 code units) or number of elements of an array.',
    example: 'len(http.request.headers["cookie"]) gt 5',
    check: (a) => {
      if (a.length !== 1) return { error: `len() takes 1 argument, found ${a.length}`, arg: -1 };
      const t = a[0] as Type;
      if (t.kind !== 'string' && t.kind !== 'array') return { error: `expected a string or an array as argument 1 of len(), found ${typeName(t)}`, arg: 0 };
      return { type: INT };
    },
    impl: (a) => {
      const v = a[0];
      return typeof v === 'string' || Array.isArray(v) ? (v as string | readonly Value[]).length : 0;
    },
  },
  {
    name: 'starts_with', signature: 'starts_with(String, String) -> Bool', kind: 'scalar',
    description: 'True when the first string starts with the second.', example: 'starts_with(http.request.uri.path, "/admin/")',
    check: (a) => want(a, [STRING, STRING], 'starts_with') ?? { type: BOOL },
    impl: (a) => str(a[0]).startsWith(str(a[1])),
    fast2: (a, b) => str(a).startsWith(str(b)),
  },
  {
    name: 'ends_with', signature: 'ends_with(String, String) -> Bool', kind: 'scalar',
    description: 'True when the first string ends with the second.', example: 'ends_with(http.request.uri.path, ".php")',
    check: (a) => want(a, [STRING, STRING], 'ends_with') ?? { type: BOOL },
    impl: (a) => str(a[0]).endsWith(str(a[1])),
    fast2: (a, b) => str(a).endsWith(str(b)),
  },
  {
    name: 'url_decode', signature: 'url_decode(String) -> String', kind: 'scalar',
    description: "Percent-decodes a string as UTF-8 and turns '+' into a space; malformed sequences are kept as written.",
    example: 'url_decode(http.request.uri.query) contains "<script"',
    check: (a) => want(a, [STRING], 'url_decode') ?? { type: STRING },
    impl: (a) => {
      const s = str(a[0]);
      return percentDecode(s.includes('+') ? s.replace(/\+/g, ' ') : s);
    },
  },
  {
    name: 'concat', signature: 'concat(String, String, ...) -> String | concat(Array<T>, Array<T>, ...) -> Array<T>', kind: 'scalar',
    description: 'Joins two or more strings, or two or more arrays of the same type.',
    example: 'concat(http.host, http.request.uri.path) eq "shop.test/admin"',
    check: (a) => {
      if (a.length < 2) return { error: `concat() takes at least 2 arguments, found ${a.length}`, arg: -1 };
      const t0 = a[0] as Type;
      if (t0.kind !== 'string' && t0.kind !== 'array') return { error: `expected a string or an array as argument 1 of concat(), found ${typeName(t0)}`, arg: 0 };
      for (let i = 1; i < a.length; i++) {
        if (!sameType(a[i] as Type, t0)) return { error: `expected ${typeName(t0)} as argument ${i + 1} of concat(), found ${typeName(a[i] as Type)}`, arg: i };
      }
      return { type: t0 };
    },
    impl: (a) => {
      if (typeof a[0] === 'string') return (a as readonly string[]).join('');
      const out: Value[] = [];
      for (const x of a) if (Array.isArray(x)) out.push(...(x as readonly Value[]));
      return out;
    },
  },
  {
    name: 'any', signature: 'any(Array<Bool>) -> Bool', kind: 'any',
    description: 'True when the condition holds for at least one element of the [*] array in it.',
    example: 'any(http.request.headers["x-a"][*] contains "b")',
    check: () => ({ type: BOOL }),
    impl: (a) => Array.isArray(a[0]) && (a[0] as readonly Value[]).some((x) => x === true),
  },
  {
    name: 'all', signature: 'all(Array<Bool>) -> Bool', kind: 'all',
    description: 'True when the condition holds for every element of the [*] array in it (true for an empty array).',
    example: 'all(http.request.headers["accept"][*] ne "")',
    check: () => ({ type: BOOL }),
    impl: (a) => Array.isArray(a[0]) && (a[0] as readonly Value[]).every((x) => x === true),
  },
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(DEFS.map((d) => [d.name, d]));
