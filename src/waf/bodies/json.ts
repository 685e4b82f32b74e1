/**
 * JSON request bodies → flat arguments, Coraza style: `{"a":{"b":[1,"x"]}}` → `json.a.b.0=1`, `json.a.b.1=x`.
 * Values become byte strings (UTF-8 bytes). Throws on invalid JSON or excessive depth.
 */
export function parseJsonBody(body: string, depthLimit = 1024): Array<[string, string]> {
  const text = Buffer.from(body, 'latin1').toString('utf8');
  const root: unknown = JSON.parse(text);
  const out: Array<[string, string]> = [];
  const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const walk = (v: unknown, key: string, depth: number): void => {
    if (depth > depthLimit) throw new Error(`JSON nesting deeper than ${depthLimit}`);
    if (Array.isArray(v)) {
      if (v.length === 0) out.push([key, '']);
      v.forEach((x, i) => walk(x, `${key}.${i}`, depth + 1));
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) out.push([key, '']);
      for (const [k, x] of entries) walk(x, `${key}.${bytes(k)}`, depth + 1);
    } else if (typeof v === 'string') out.push([key, bytes(v)]);
    else if (v === null) out.push([key, '']);
    else out.push([key, String(v)]);
  };
  walk(root, 'json', 0);
  return out;
}
