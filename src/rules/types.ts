/** The value types of the language. */

export type ScalarKind = 'string' | 'int' | 'bool' | 'ip';
export type Type =
  | { readonly kind: ScalarKind }
  | { readonly kind: 'array'; readonly of: Type }
  | { readonly kind: 'map'; readonly of: Type };

export const STRING: Type = { kind: 'string' };
export const INT: Type = { kind: 'int' };
export const BOOL: Type = { kind: 'bool' };
export const IP: Type = { kind: 'ip' };
export const arrayOf = (of: Type): Type => ({ kind: 'array', of });
export const mapOf = (of: Type): Type => ({ kind: 'map', of });

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'array' || a.kind === 'map') && (b.kind === 'array' || b.kind === 'map')) return sameType(a.of, b.of);
  return true;
}

/** "a string", "an IP address", "an array of strings", ... */
export function typeName(t: Type): string {
  switch (t.kind) {
    case 'string': return 'a string';
    case 'int': return 'a number';
    case 'bool': return 'a boolean';
    case 'ip': return 'an IP address';
    case 'array': return `an array of ${plural(t.of)}`;
    case 'map': return `a map of ${plural(t.of)}`;
  }
}

/** Short spelling used in docs: String, Int, Bool, IP, Array<String>, Map<Array<String>>. */
export function typeLabel(t: Type): string {
  switch (t.kind) {
    case 'string': return 'String';
    case 'int': return 'Int';
    case 'bool': return 'Bool';
    case 'ip': return 'IP';
    case 'array': return `Array<${typeLabel(t.of)}>`;
    case 'map': return `Map<${typeLabel(t.of)}>`;
  }
}

function plural(t: Type): string {
  switch (t.kind) {
    case 'string': return 'strings';
    case 'int': return 'numbers';
    case 'bool': return 'booleans';
    case 'ip': return 'IP addresses';
    case 'array': return `arrays of ${plural(t.of)}`;
    case 'map': return `maps of ${plural(t.of)}`;
  }
}
