/**
 * Rate-limit characteristics: the values that form a counter key, e.g. ['ip.src'] or
 * ['ip.src', 'http.request.headers["x-api-key"]']. Each name is a field (optionally indexed) or a function of fields.
 */
import { formatIp } from '../lib/ip.ts';
import type { Ip } from '../lib/ip.ts';
import { checkValue } from './checker.ts';
import { compileNode } from './compiler.ts';
import type { Fn } from './compiler.ts';
import { RuleError, RuleTypeError } from './errors.ts';
import type { Value } from './fields.ts';
import { parseValue } from './parser.ts';
import type { RuleRequest } from './request.ts';

/** Thrown for a bad characteristic; `index` is its position in the list, `characteristic` its text. */
export class CharacteristicError extends RuleTypeError {
  readonly index: number;
  readonly characteristic: string;
  constructor(index: number, characteristic: string, cause: RuleError) {
    super({
      code: cause.code,
      message: `characteristic ${index + 1} (${JSON.stringify(characteristic)}): ${cause.detail}`,
      source: characteristic,
      offset: cause.offset,
      length: cause.length,
    });
    this.name = 'CharacteristicError';
    this.index = index;
    this.characteristic = characteristic;
  }
}

function render(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return (v as readonly Value[]).map(render).join(',');
  return formatIp(v as Ip);
}

/**
 * Compile characteristics to a key function. The key is unambiguous (each part length-prefixed), so
 * `a|b` + `c` never collides with `a` + `b|c`. Throws CharacteristicError naming the bad one.
 */
export function compileCharacteristics(names: readonly string[]): (req: RuleRequest) => string {
  if (names.length === 0) {
    throw new RuleTypeError({ code: 'rules.no_characteristics', message: 'at least one characteristic is needed, e.g. ip.src', source: '', offset: 0 });
  }
  const fns: Fn[] = names.map((name, i) => {
    try {
      const { root } = checkValue(name, parseValue(name));
      if (root.each) throw new RuleTypeError({ code: 'rules.type', message: '[*] is not allowed in a characteristic', source: name, offset: 0, length: name.length });
      if (root.type.kind === 'map') throw new RuleTypeError({ code: 'rules.type', message: 'a map needs a key', source: name, offset: 0, length: name.length });
      return compileNode(root);
    } catch (e) {
      if (e instanceof RuleError) throw new CharacteristicError(i, name, e);
      throw e;
    }
  });
  if (fns.length === 1) {
    const f = fns[0] as Fn;
    return (r) => render(f(r));
  }
  return (r) => {
    let key = '';
    for (const f of fns) {
      const s = render(f(r));
      key += `${s.length}:${s};`;
    }
    return key;
  };
}
