/** Argument parsing and output shared by the CLI's commands. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { CliError } from './client.ts';
import type { Envelope } from './client.ts';

export type Opts = NonNullable<ParseArgsConfig['options']>;
const JSON_OPT: Opts = { json: { type: 'boolean', default: false } };

export function parse(args: string[], options: Opts, usage: string): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { ...options, ...JSON_OPT, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (r.values['help']) { process.stdout.write(usage + '\n'); process.exit(0); }
    return r as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\. To specify a positional.*$/, '')}\nusage: ${usage}`, 2);
  }
}

export function out(json: boolean, env: Envelope, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(env, null, 2) + '\n' : human() + '\n');
}

export const enc = encodeURIComponent;
