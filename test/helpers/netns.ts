/**
 * A private test network of Linux network namespaces: one bridge in the root namespace (the test process reaches
 * every host through it), one namespace per named host, joined to the bridge by a veth pair, with addresses in
 * 10.213.N.0/24 (N random per run, so parallel runs don't collide). Needs root and iproute2; `available()` says why
 * not when it can't run. Everything is removed by `destroy()`, also after a failed setup.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomInt } from 'node:crypto';

export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) return 'iproute2 (ip) not installed';
  try {
    const probe = `rpprobe${process.pid % 100000}`;
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (e) {
    return `cannot create a network namespace here: ${(e as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

export interface TestNet {
  /** The root namespace's address on the bridge (the test process itself). */
  readonly gateway: string;
  addr(host: string): string;
  /** Give a host one more address on the test network (same /24), e.g. to play a second client; returns it. */
  addAddress(host: string, lastOctet: number): string;
  /** Spawn a long-running process inside a host's namespace (killed by destroy()). */
  spawn(host: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Run a command to completion inside a host's namespace. */
  run(host: string, cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  destroy(): Promise<void>;
}

const ip = (...args: string[]): void => { execFileSync('ip', args, { stdio: 'pipe' }); };

export function createTestNet(hosts: readonly string[]): TestNet {
  const tag = `${process.pid % 10000}${randomInt(100)}`;
  const net = randomInt(20, 250);
  const bridge = `rpb${tag}`.slice(0, 15);
  const ns = new Map<string, string>();
  const addrs = new Map<string, string>();
  const ifaces = new Map<string, string>();
  const children = new Set<ChildProcess>();
  const gateway = `10.213.${net}.1`;
  const destroy = async (): Promise<void> => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(-c.pid!, 'SIGKILL'); } catch { c.kill('SIGKILL'); } }
    await Promise.all([...children].map((c) => c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => { c.once('exit', r); setTimeout(r, 3000).unref(); })));
    for (const n of ns.values()) { try { ip('netns', 'del', n); } catch { /* gone */ } }
    try { ip('link', 'del', bridge); } catch { /* gone */ }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    hosts.forEach((h, i) => {
      const name = `rpn${tag}-${h}`;
      const vh = `rpv${tag}x${i}`.slice(0, 15);
      const vn = `rpi${tag}x${i}`.slice(0, 15);
      const a = `10.213.${net}.${10 + i}`;
      ip('netns', 'add', name);
      ns.set(h, name);
      ip('link', 'add', vh, 'type', 'veth', 'peer', 'name', vn);
      ip('link', 'set', vn, 'netns', name);
      ip('link', 'set', vh, 'master', bridge);
      ip('link', 'set', vh, 'up');
      ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
      ip('netns', 'exec', name, 'ip', 'addr', 'add', `${a}/24`, 'dev', vn);
      ip('netns', 'exec', name, 'ip', 'link', 'set', vn, 'up');
      addrs.set(h, a);
      ifaces.set(h, vn);
    });
  } catch (e) {
    void destroy();
    throw e;
  }
  const nsOf = (h: string): string => {
    const n = ns.get(h);
    if (n === undefined) throw new Error(`no host "${h}" in this test network`);
    return n;
  };
  return {
    gateway,
    addr: (h) => { const a = addrs.get(h); if (a === undefined) throw new Error(`no host "${h}"`); return a; },
    addAddress(h, lastOctet) {
      const a = `10.213.${net}.${lastOctet}`;
      ip('netns', 'exec', nsOf(h), 'ip', 'addr', 'add', `${a}/24`, 'dev', ifaces.get(h)!);
      return a;
    },
    spawn(h, cmd, args, opts = {}) {
      const c = spawn('ip', ['netns', 'exec', nsOf(h), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
      children.add(c);
      return c;
    },
    run(h, cmd, args, opts = {}) {
      return new Promise((resolve) => {
        const c = spawn('ip', ['netns', 'exec', nsOf(h), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        c.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
      });
    },
    destroy,
  };
}
