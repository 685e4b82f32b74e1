/**
 * WebSocket (and other HTTP/1.1 Upgrade) pass-through: after the request phases allowed it, open a connection
 * to an origin, replay the request head with the forwarding headers (keeping Upgrade/Connection), and splice
 * the two sockets. The origin's 101 (or refusal) goes back to the client as it came.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ERRORS } from '../../errors/codes.ts';
import { CONTINUE } from '../../pipeline/phase.ts';
import type { Phase, Verdict } from '../../pipeline/phase.ts';
import type { RequestContext } from '../../pipeline/context.ts';
import type { HealthState } from '../../upstream/pools.ts';
import { forwardHeaders } from './forward-headers.ts';
import { classifyOriginError, errorVerdict } from './index.ts';

export function createTunnelPhase(deps: { health: HealthState }, socketOf: (ctx: RequestContext) => { socket: Socket; head: Buffer }): Phase {
  return {
    name: 'origin',
    onRequest(ctx: RequestContext): Promise<Verdict> | Verdict {
      const zone = ctx.zone!;
      const origin = deps.health.pick(zone.id, zone.pool, undefined);
      if (origin === undefined) return errorVerdict(zone.pool.origins.length === 0 ? ERRORS.noOrigin : ERRORS.originUnavailable);
      ctx.originAddress = origin.key;
      const { socket: client, head } = socketOf(ctx);
      const req = ctx.req as IncomingMessage;
      const fwd = forwardHeaders(req.rawHeaders, ctx.clientIp, ctx.tls, ctx.ray, ctx.host, zone.pool.hostHeader);
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < fwd.length; i += 2) text += `${fwd[i]}: ${fwd[i + 1]}\r\n`;
      text += `connection: Upgrade\r\nupgrade: ${req.headers.upgrade ?? 'websocket'}\r\n\r\n`;
      return new Promise<Verdict>((resolve) => {
        const opts = { host: origin.host, port: origin.port };
        const up: Socket = origin.tls ? tlsConnect({ ...opts, servername: origin.host, rejectUnauthorized: false }) : netConnect(opts);
        const timer = setTimeout(() => up.destroy(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), zone.pool.connectTimeoutMs);
        let connected = false;
        up.once(origin.tls ? 'secureConnect' : 'connect', () => {
          connected = true;
          clearTimeout(timer);
          up.write(text);
          // Join the sockets only once the origin agreed to switch protocols (101). Any other answer is passed
          // back as the final response and both connections are closed: a refused upgrade must never leave the
          // client with a raw pipe to the origin that skips routing and every phase.
          let buf = Buffer.alloc(0);
          const onHead = (d: Buffer): void => {
            buf = Buffer.concat([buf, d]);
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) { if (buf.length > 65_536) up.destroy(); return; }
            up.off('data', onHead);
            up.pause();
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, Math.min(end, 200)).toString('latin1'))?.[1] ?? 0);
            ctx.originStatus = status;
            if (status !== 101) {
              ctx.errorCode = status === 0 ? 'origin.bad_response' : undefined;
              client.end(buf, () => { up.destroy(); client.destroySoon(); });
              resolve(CONTINUE);
              return;
            }
            if (head.length) up.write(head);
            client.write(buf);
            up.pipe(client);
            client.pipe(up);
            up.resume();
            resolve(CONTINUE);
          };
          up.on('data', onHead);
        });
        up.on('error', (e: Error & { code?: string }) => {
          clearTimeout(timer);
          if (!connected) { ctx.errorDetail = `${origin.key}: ${e.code ?? e.message}`; resolve(errorVerdict(classifyOriginError(e.code))); return; }
          client.destroy();
        });
        up.on('close', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
      });
    },
  };
}
