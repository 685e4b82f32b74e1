/**
 * Loading and validating the YAML config file, with errors that name the file, the line and the key path.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { ConfigFileSchema } from './schema.ts';
import type { ConfigFile } from './schema.ts';

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'config.invalid';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`;
}

/** Render a zod issue path as a key path: zones[0].pool.origins[1].address */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += (out ? '.' : '') + String(k);
  }
  return out;
}

function nodeAt(root: YamlNode | null | undefined, path: ReadonlyArray<PropertyKey>): { node: YamlNode | undefined; keyNode: YamlNode | undefined } {
  let node: YamlNode | null | undefined = root;
  let keyNode: YamlNode | undefined;
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k));
      if (!pair) return { node, keyNode };
      keyNode = pair.key as YamlNode;
      node = (pair.value as YamlNode | null) ?? keyNode;
    } else if (isSeq(node) && typeof k === 'number') {
      const item = node.items[k] as YamlNode | undefined;
      if (!item) return { node, keyNode };
      node = item;
    } else {
      return { node: node ?? undefined, keyNode };
    }
  }
  return { node: node ?? undefined, keyNode };
}

/** Parse and validate config text. Throws ConfigError listing every problem. */
export function parseConfigText(text: string, file = '<config>'): ConfigFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message };
    }));
  }
  const data: unknown = doc.toJS() ?? {};
  const res = ConfigFileSchema.safeParse(data);
  if (res.success) {
    const names = new Map<string, number>();
    const dup: ConfigProblem[] = [];
    res.data.zones.forEach((zn, i) => {
      const prev = names.get(zn.name);
      if (prev !== undefined) {
        const { node } = nodeAt(doc.contents as YamlNode, ['zones', i, 'name']);
        const pos = lc.linePos(node?.range?.[0] ?? 0);
        dup.push({ file, line: pos.line, column: pos.col, path: `zones[${i}].name`, message: `zone "${zn.name}" is already defined at zones[${prev}]` });
      } else names.set(zn.name, i);
    });
    if (dup.length) throw new ConfigError(dup);
    return res.data;
  }
  throw new ConfigError(res.error.issues.map((iss) => problemFromIssue(iss, doc.contents as YamlNode, lc, file)));
}

function problemFromIssue(iss: z.core.$ZodIssue, root: YamlNode, lc: LineCounter, file: string): ConfigProblem {
  let path = iss.path as PropertyKey[];
  let message = iss.message;
  if (iss.code === 'unrecognized_keys') {
    const key = iss.keys[0] ?? '';
    path = [...path, key];
    message = `unknown key "${key}"` + (iss.keys.length > 1 ? ` (also: ${iss.keys.slice(1).join(', ')})` : '');
  }
  const { node, keyNode } = nodeAt(root, path);
  const at = (iss.code === 'unrecognized_keys' ? keyNode : node) ?? node;
  const pos = lc.linePos(at?.range?.[0] ?? 0);
  return { file, line: pos.line, column: pos.col, path: formatPath(path), message };
}

export function loadConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read the file (${err.code ?? err.message})` }]);
  }
  return parseConfigText(text, file);
}
