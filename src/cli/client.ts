/** The CLI's client for the admin API (RAMPART_API, RAMPART_ADMIN_TOKEN). */

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) { super(message); this.name = 'CliError'; this.exitCode = exitCode; }
}

export interface Envelope<T = unknown> {
  success: boolean;
  errors: Array<{ code: number; message: string }>;
  messages: unknown[];
  result: T;
  result_info?: Record<string, number>;
}

export function apiBase(): string {
  return (process.env['RAMPART_API'] ?? 'http://127.0.0.1:9090').replace(/\/+$/, '');
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<Envelope<T>> {
  const token = process.env['RAMPART_ADMIN_TOKEN'];
  const url = apiBase() + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new CliError(`cannot reach the admin API at ${apiBase()} (${cause}); is \`rampart start\` running? Set RAMPART_API to its admin address.`);
  }
  const text = await res.text();
  let env: Envelope<T>;
  try {
    env = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new CliError(`${method} ${path}: the API answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
  }
  if (!env.success) {
    const msgs = env.errors.map((e) => `${e.message} (code ${e.code})`).join('; ');
    if (res.status === 401) throw new CliError(`${msgs}. Set RAMPART_ADMIN_TOKEN (printed by \`rampart start\`, stored in the data folder's admin-token).`);
    throw Object.assign(new CliError(msgs || `API error ${res.status}`), { envelope: env });
  }
  return env;
}
