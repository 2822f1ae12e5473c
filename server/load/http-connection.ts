/**
 * One keep-alive HTTP/1.1 connection of the load generator's HTTP target
 * (server/load/http-target.ts): a `net` (or `tls`) socket carrying one request
 * at a time, and a response parser.
 *
 * It does as little as a request allows, because on a fast loopback endpoint
 * the client's CPU per request sets the ceiling of what the load generator can
 * send (test/bench/load.ts):
 * - the request arrives already encoded, as one latin1 string, and goes out in
 *   one `socket.write`: one syscall per request;
 * - plain TCP reads land in one shared buffer (`onread`), not a new Buffer
 *   and a stream event per read;
 * - the commonest answer (one read holding exactly one answer framed by
 *   content-length) is recognised by `simpleAnswer` at a third of a parser's
 *   cost; every other one goes to http-parser-js (a plain-JS HTTP/1 parser,
 *   the one autocannon uses): chunked bodies, answers split over reads,
 *   bodies ended by closing the connection, 1xx, HEAD;
 * - only the status and the keep-alive verdict are kept: the body is read off
 *   the socket and dropped.
 * Measured against node:http on loopback (test/bench/load.ts, 32 connections):
 * undici's pool cost about 32 µs of CPU per request, this about 22 µs,
 * autocannon about 28 µs.
 * The connection knows nothing of timeouts or queues: its owner (the target)
 * decides which request goes next and destroys a connection whose request ran
 * out of time.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';

/** Where connections go. */
export interface Endpoint {
  host: string;
  port: number;
  /** https: a TLS connection; the certificate is checked against Node's trusted CAs (NODE_EXTRA_CA_CERTS adds some). */
  tls: boolean;
}

/** The request on a connection: told once how it ended. */
export interface Answerable {
  /** A complete answer arrived, with its (final, non-1xx) status. */
  answered(status: number): void;
  /** The connection failed or broke before the answer was complete. */
  failed(error: Error): void;
}

/** What a connection tells its owner. */
export interface ConnectionOwner {
  /** The answer is in and the connection stays open: it can take another request. */
  idle(connection: HttpConnection): void;
  /** The connection is closed (by either side, or broken) and must be forgotten; called once. */
  gone(connection: HttpConnection): void;
}

/**
 * Where every plain-TCP connection reads: each read is handled before the
 * next one starts (one thread), so one buffer serves them all.
 */
const READ_BUFFER = Buffer.alloc(64 * 1024);

/** A connection that closed without an error while a request waited for its answer. */
const cutShort = (): Error =>
  Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' });

/**
 * Whether the server keeps the connection open after an answer, from its HTTP
 * version and Connection header (`headers` as http-parser-js lists them: name, value, …).
 */
const persists = (versionMinor: number, headers: string[]): boolean => {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'connection') continue;
    const value = headers[i + 1]!.toLowerCase();
    if (value.includes('close')) return false;
    if (value.includes('keep-alive')) return true;
  }
  return versionMinor >= 1; // HTTP/1.1 keeps connections open unless told otherwise, 1.0 closes them
};

/** The blank line after an answer's head (a Buffer: searching for a string converts it on every call). */
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The answer in `chunk` when the chunk is exactly one whole answer of the
 * commonest shape: HTTP/1.1, a final status other than 204 and 304, a body
 * framed by one content-length, no transfer-encoding and no folded header
 * lines. Anything else (undefined) goes to http-parser-js.
 *
 * Why a second way to read an answer: http-parser-js costs about 4 µs per
 * small answer (it makes a string and runs a regular expression per header
 * line), about 15% of the client's CPU per request against a loopback
 * endpoint; this costs about 1.5 µs (both measured on node:http's six-line
 * answer). Those few µs are what the load generator needed to keep up with
 * autocannon (test/bench/load.ts). It reads only what decides the outcome and
 * the connection's fate; an answer it does not fully understand is never
 * half-read here, it goes whole to the real parser.
 */
export const simpleAnswer = (chunk: Buffer): { status: number; keepAlive: boolean } | undefined => {
  const headEnd = chunk.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  // Header names are case-insensitive; latin1 maps one byte to one character.
  const head = chunk.toString('latin1', 0, headEnd + 2).toLowerCase();
  if (!head.startsWith('http/1.1 ') || !/^[2-9]\d\d[ \r]$/.test(head.slice(9, 13))) return undefined;
  const status = Number(head.slice(9, 12));
  if (status === 204 || status === 304) return undefined; // no body, whatever content-length says
  if (head.includes('\r\ntransfer-encoding:') || head.includes('\r\n ') || head.includes('\r\n\t')) return undefined;
  const at = head.indexOf('\r\ncontent-length:');
  if (at < 0 || head.includes('\r\ncontent-length:', at + 1)) return undefined;
  const value = head.slice(at + 17, head.indexOf('\r\n', at + 17)).trim();
  if (!/^\d{1,15}$/.test(value) || chunk.length !== headEnd + 4 + Number(value)) return undefined;
  const connection = head.indexOf('\r\nconnection:');
  const keepAlive = connection < 0 || !head.slice(connection + 13, head.indexOf('\r\n', connection + 13)).includes('close');
  return { status, keepAlive };
};

export class HttpConnection {
  /** The socket's connection (and TLS handshake) is done; false again once it is closed. */
  connected = false;
  /** When it last became idle (performance.now()), so its owner can retire stale ones. */
  idleSince = 0;
  private dead = false;
  private readonly socket: net.Socket;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private current: Answerable | undefined;
  /** The status of the answer being read, and whether the server keeps the connection open after it. */
  private status = 0;
  private keepAlive = true;
  /** http-parser-js holds part of the answer being read: the rest must go through it too. */
  private parsing = false;

  constructor(
    endpoint: Endpoint,
    private readonly owner: ConnectionOwner,
    /** HEAD requests: their answers may announce a length but carry no body. */
    private readonly headOnly: boolean,
  ) {
    // noDelay: each request is one write; Nagle's algorithm would hold it back
    // waiting for an acknowledgement. TCP keep-alive notices a peer that vanished.
    const options = { host: endpoint.host, port: endpoint.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 };
    this.socket = endpoint.tls
      ? tls.connect({
          ...options,
          // SNI takes a name, never an address; the certificate is checked against `host` either way.
          servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
          ALPNProtocols: ['http/1.1'],
        })
      : // Plain TCP reads straight into one shared buffer (`onread`), rather
        // than a fresh Buffer and a stream 'data' event per read: less garbage,
        // less machinery per answer (about 1 µs of ~25 measured per request).
        net.connect({ ...options, onread: { buffer: READ_BUFFER, callback: (length: number) => this.read(READ_BUFFER.subarray(0, length)) } });
    this.socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => (this.connected = true));
    if (endpoint.tls) this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    // The server closed its side: an answer delimited by the connection's end
    // (no content-length, not chunked) is complete now; anything else was cut short.
    this.socket.on('end', () => {
      if (this.current) this.parser.finish();
      this.destroy(cutShort());
    });
    this.socket.on('error', (error) => this.destroy(error));
    this.socket.on('close', () => this.destroy(cutShort()));

    this.parser[HTTPParser.kOnHeadersComplete] = (info) => {
      this.status = info.statusCode;
      // http-parser-js judges keep-alive before it hears that no body follows,
      // so it would close after an answer to HEAD without content-length.
      this.keepAlive = (this.headOnly ? persists(info.versionMinor, info.headers) : info.shouldKeepAlive) && !info.upgrade;
      // 1: no body follows, whatever the headers say (an answer to HEAD).
      return this.headOnly ? 1 : 0;
    };
    this.parser[HTTPParser.kOnMessageComplete] = () => this.complete();
  }

  /** Sends `request` (a whole HTTP/1.1 request, latin1) and reports its answer to `to`. */
  send(request: string, to: Answerable): void {
    this.current = to;
    // An idle connection does not keep the process alive; one with a request does.
    this.socket.ref();
    // Measured on this VM, 32 connections: one latin1 string write costs the
    // same as building a Buffer and writing that, and is simpler. Before the
    // socket connects, Node buffers the write.
    this.socket.write(request, 'latin1');
  }

  /**
   * Closes the connection now (a request that ran out of time, the target
   * closing, the server closing or breaking it). A request still waiting for
   * its answer fails with `error`. Idempotent.
   */
  destroy(error: Error = cutShort()): void {
    if (this.dead) return;
    this.dead = true;
    this.connected = false;
    const current = this.current;
    this.current = undefined;
    this.socket.destroy();
    this.owner.gone(this);
    current?.failed(error);
  }

  /**
   * Reads what arrived (on plain TCP a view of READ_BUFFER, valid during this
   * call only). Returns true: `onread` would pause the socket on false.
   */
  private read(chunk: Buffer): true {
    if (!this.current) {
      // Bytes nobody asked for (a server answering twice): the stream cannot be trusted.
      this.destroy(new Error('an answer arrived with no request outstanding'));
    } else if (!this.parsing && !this.headOnly && this.readSimple(chunk)) {
      // Done: the commonest answer, read without the parser.
    } else {
      this.parsing = true;
      const result = this.parser.execute(chunk);
      if (result instanceof Error) this.destroy(Object.assign(new Error(`malformed answer: ${result.message}`), { code: 'ECONNRESET' }));
    }
    return true;
  }

  private readSimple(chunk: Buffer): boolean {
    const simple = simpleAnswer(chunk);
    if (!simple) return false;
    this.status = simple.status;
    this.keepAlive = simple.keepAlive;
    this.complete();
    return true;
  }

  private complete(): void {
    // 1xx (100 Continue, 103 Early Hints) are followed by the real answer; 101 switches protocols
    // and ends HTTP on this connection, which keepAlive = false handles.
    if (this.status < 200 && this.status !== 101) return;
    this.parsing = false;
    const current = this.current;
    this.current = undefined;
    if (!current) return; // destroyed while the parser was still at work
    if (!this.keepAlive) {
      // The server said `Connection: close` (or HTTP/1.0, or an answer ended
      // by closing): this connection takes no other request.
      this.destroy();
      current.answered(this.status);
      return;
    }
    this.socket.unref();
    this.idleSince = performance.now();
    current.answered(this.status);
    if (!this.dead) this.owner.idle(this);
  }
}
