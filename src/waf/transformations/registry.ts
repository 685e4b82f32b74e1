/**
 * Transformation registry. Each transformation lives in its own file and registers itself here with a doc block.
 * Values are byte strings (one char per byte, latin1), as in ModSecurity.
 */
export interface TransformationDef {
  name: string;
  /** syntax and example */
  doc: string;
  fn: (input: string) => string;
}

const registry = new Map<string, TransformationDef>();

export function registerTransformation(def: TransformationDef): void {
  registry.set(def.name.toLowerCase(), def);
}

export function getTransformation(name: string): TransformationDef | undefined {
  return registry.get(name.toLowerCase());
}

export function transformationNames(): string[] {
  return [...registry.values()].map((d) => d.name);
}
