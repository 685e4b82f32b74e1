/** Test helper: run the real `dig` asynchronously (the server under test lives in the same process). */
import { execFile, execFileSync } from 'node:child_process';

export function hasDig(): boolean {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface DigResult {
  raw: string;
  status: string | undefined;
  flags: string[];
  answers: string[][];
  authority: string[][];
  additional: string[][];
  timedOut: boolean;
}

function section(raw: string, name: string): string[][] {
  const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(raw);
  if (!m?.[1]) return [];
  return m[1].split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.split(/\s+/));
}

export function dig(port: number, args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', '+norec', '+nocookie', ...args], { timeout: 20_000 }, (err, stdout) => {
      const raw = String(stdout);
      if (err && !raw.includes('timed out') && !raw.includes('no servers could be reached')) return reject(new Error(`dig ${args.join(' ')}: ${err.message}\n${raw}`));
      const st = /status: ([A-Z]+)/.exec(raw);
      const fl = /;; flags: ([a-z ]*);/.exec(raw);
      resolve({
        raw,
        status: st?.[1],
        flags: (fl?.[1] ?? '').trim().split(/\s+/).filter(Boolean),
        answers: section(raw, 'ANSWER'),
        authority: section(raw, 'AUTHORITY'),
        additional: section(raw, 'ADDITIONAL'),
        timedOut: raw.includes('timed out') || raw.includes('no servers could be reached'),
      });
    });
  });
}
