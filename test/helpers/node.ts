/** Start a real Rampart node for a test: in-process (or with workers), loopback, port 0, temporary data folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { startNode } from '../../src/main.ts';
import type { NodeHandle, NodeOptions } from '../../src/main.ts';

export interface TestNode extends NodeHandle {
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: { success: boolean; errors: Array<{ code: number; message: string }>; result: T; result_info?: Record<string, number> } }>;
  /** A request through the proxy's HTTP listener with a Host header. */
  get(host: string, path: string, opts?: { headers?: Record<string, string>; method?: Dispatcher.HttpMethod; body?: string | Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
  /** Create a zone through the API and wait until the edge serves it. */
  addZone(name: string, origins: string[], extra?: Record<string, unknown>): Promise<{ id: string }>;
  stop(): Promise<void>;
}

export async function startTestNode(opts: Partial<NodeOptions> = {}): Promise<TestNode> {
  const data = opts.data ?? mkdtempSync(join(tmpdir(), 'rampart-test-'));
  const node = await startNode({ http: '127.0.0.1:0', https: '127.0.0.1:0', admin: '127.0.0.1:0', workers: 0, dns: '127.0.0.1:0', adminToken: 'test-admin-token', logLevel: 'error', accessLog: join(data, 'access.log'), ...opts, data });
  const base = `http://127.0.0.1:${node.adminPort}`;
  const t: TestNode = {
    ...node,
    async api(method, path, body, token = node.adminToken) {
      const r = await request(base + path, {
        method: method as Dispatcher.HttpMethod,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.body.text();
      return { status: r.statusCode, json: JSON.parse(text) };
    },
    async get(host, path, o = {}) {
      const r = await request(`http://127.0.0.1:${node.httpPort}${path}`, { method: o.method ?? 'GET', headers: { host, ...o.headers }, ...(o.body !== undefined ? { body: o.body } : {}) });
      return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
    },
    async addZone(name, origins, extra = {}) {
      const r = await t.api<{ id: string }>('POST', '/client/v4/zones', { name, origins, ...extra });
      if (r.status !== 200) throw new Error(`zone add failed: ${JSON.stringify(r.json.errors)}`);
      const v = (await t.api<{ config_version: number }>('GET', '/client/v4/system/status')).json.result.config_version;
      await node.waitForVersion(v);
      return { id: r.json.result.id };
    },
    async stop() {
      await node.close();
      if (!opts.data) rmSync(data, { recursive: true, force: true });
    },
  };
  return t;
}
