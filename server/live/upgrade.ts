/**
 * The door of the live stream: every HTTP upgrade the server sees comes here,
 * whatever its path, headers or cookie, and is either handed to the WebSocket
 * server or answered with a plain HTTP refusal. Nothing in it may throw out:
 * an upgrade is raw input from any page the learner visits, and an exception
 * here would end the process.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { Guard } from '../http/auth.ts';
import type { LiveHub } from './hub.ts';

export const LIVE_PATH = '/api/live';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export const refuseUpgrade = (socket: Duplex, status: number, message: string): void => {
  if (socket.destroyed) return;
  const reason = REASONS[status] ?? 'Bad Request';
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/** The path and query of an origin-form request target (`/api/live?run=…`), or undefined. */
const parseTarget = (target: string | undefined): URL | undefined => {
  // Only origin-form targets: `//host/…`, `http://…` and `*` are not paths of ours.
  if (!target || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return undefined;
  }
};

export interface UpgradeServices {
  guard: Guard;
  hub: LiveHub;
  wss: WebSocketServer;
  /** Whether `runId` is a live run (one that can be streamed). */
  isLiveRun(runId: string): boolean;
  log: Logger;
}

/** A `server.on('upgrade', …)` listener: checks, in order, target, Host/Origin/token, path, run, room. */
export const liveUpgradeHandler =
  ({ guard, hub, wss, isLiveRun, log }: UpgradeServices) =>
  (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node removes its own error listener from an upgraded socket: a peer that resets
    // the connection while we answer would otherwise be an uncaught 'error'.
    socket.on('error', () => undefined);
    try {
      const url = parseTarget(request.url);
      if (!url) return refuseUpgrade(socket, 400, `request target '${String(request.url).slice(0, 200)}' is not a path`);
      const verdict = guard.checkApi(request);
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.message);
      if (url.pathname !== LIVE_PATH) return refuseUpgrade(socket, 404, `no WebSocket here; use ${LIVE_PATH}?run=ID`);
      const runId = url.searchParams.get('run');
      if (!runId || !isLiveRun(runId)) return refuseUpgrade(socket, 404, `run: '${(runId ?? '').slice(0, 100)}' is not a live run`);
      if (!hub.hasRoom) {
        return refuseUpgrade(socket, 429, `${hub.clientCount} live streams are open already; close a tab or stop watching a run`);
      }
      // ws answers a malformed handshake (bad Sec-WebSocket-Key or Version) with a 400 itself.
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (!hub.attach(ws, runId)) ws.close(4404, 'unknown run');
      });
    } catch (error) {
      const id = randomUUID().slice(0, 8);
      log.error({ err: error, errorId: id, url: String(request.url).slice(0, 200) }, 'WebSocket upgrade failed');
      refuseUpgrade(socket, 500, `internal error (id ${id}); see the workbench log`);
    }
  };
