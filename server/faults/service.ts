/**
 * A real downstream HTTP service on 127.0.0.1 running a ServiceDefinition:
 * what the fault proxy forwards to in live runs. Bodies are JSON both ways.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { HttpResponse, ServiceDefinition } from '../../patterns/kit/http.ts';
import { crashResponse, lowerCaseHeaders } from './responses.ts';

/** A started service. */
export interface ServiceServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection, in flight or not. */
  close(): Promise<void>;
}

/** Starts `definition` on a random loopback port. */
export const startServiceServer = async (definition: ServiceDefinition): Promise<ServiceServer> => {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void answer(definition, req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sockets].map(destroyAndWait));
      await closed;
      await handlesReleased();
    },
  };
};

const answer = async (definition: ServiceDefinition, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  let response: HttpResponse;
  try {
    const body = parseBody(req.headers['content-type'], await readBody(req));
    response = await definition.handle({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flattenHeaders(req.headers),
      body,
    });
  } catch (error) {
    response = error instanceof BadRequestBody ? badRequest(error) : crashResponse(error);
  }
  // The caller may have gone (or the server been closed) while the handler ran.
  if (res.destroyed) return;
  sendJson(res, response);
};

/** Writes `response` with a JSON body (none when the body is undefined). */
export const sendJson = (res: ServerResponse, response: HttpResponse): void => {
  const payload = response.body === undefined ? undefined : JSON.stringify(response.body);
  const headers = lowerCaseHeaders(response.headers);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  headers['content-length'] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
};

/** Node's headers as plain strings (repeated headers joined, as HTTP allows). */
export const flattenHeaders = (headers: IncomingMessage['headers']): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
};

/** JSON when it says so, text otherwise, `undefined` when empty. */
export const parseBody = (contentType: string | undefined, text: string): unknown => {
  if (text === '') return undefined;
  if (!contentType?.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestBody('the body is not valid JSON');
  }
};

class BadRequestBody extends Error {}

const badRequest = (error: Error): HttpResponse => ({ status: 400, headers: {}, body: { error: error.message } });

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Destroys a socket and resolves once it is really closed (its handle released). */
export const destroyAndWait = (socket: Socket): Promise<void> =>
  new Promise<void>((resolve) => {
    if (socket.closed) {
      resolve();
      return;
    }
    socket.once('close', () => resolve());
    socket.destroy();
  });

/**
 * A server emits 'close' before libuv has released its listening handle; that
 * happens in the close phase of the loop turn after. Waiting for it lets
 * `close()` promise that nothing is left open once it resolves.
 */
export const handlesReleased = async (): Promise<void> => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
};
