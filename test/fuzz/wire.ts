/**
 * Requests written byte for byte over a plain TCP socket, and what came back.
 *
 * node:http (and a browser) refuse to send much of what a fuzzer wants to send: a space or
 * raw UTF-8 in the request target, `//` as an upgrade path, duplicate headers, a 2 MB gzip
 * bomb. Writing the request ourselves sends exactly what the generator made, and reading
 * the answer ourselves tells a refusal (a status line) from a reset, garbage or silence.
 *
 * A generated request carries placeholders rather than this run's values, so the same
 * counterexample still means something after the workbench restarts on another port, and
 * so a printed counterexample stays readable (`$LONG20000` rather than twenty thousand `a`s):
 *
 *   $TOKEN        the workbench's token
 *   $PORT         its port
 *   $RUN          a live run of the circuit breaker (for a valid WebSocket upgrade)
 *   $ENDED_RUN    a run that has ended (so handlers answer 409 rather than 404)
 *   $LONG<n>      n letters `a`
 *   $BIG<n>       a JSON object with an n-byte string: `{"content":"aaa…"}`
 *   $DEEP<n>      n nested JSON arrays: `[[[…]]]`
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface WireRequest {
  method: string;
  /** The request target exactly as written on the request line (may be empty, `*`, absolute, raw UTF-8…). */
  target: string;
  /** In order, duplicates allowed. Names and values may hold placeholders; CR, LF and NUL are dropped. */
  headers: Array<[name: string, value: string]>;
  /** Sent with a matching Content-Length (gzipped first when `gzip`). */
  body?: string;
  /** Gzip the body and say so with `Content-Encoding: gzip`. */
  gzip?: boolean;
}

/** The values placeholders stand for, for the workbench now running. */
export interface WireContext {
  port: number;
  token: string;
  run: string;
  endedRun: string;
}

const PLACEHOLDER = /\$(TOKEN|PORT|ENDED_RUN|RUN|LONG(\d{1,7})|BIG(\d{1,8})|DEEP(\d{1,6}))/g;

/** Replaces the placeholders of `text` by their values. */
export const expand = (text: string, ctx: WireContext): string =>
  text.replace(PLACEHOLDER, (_match, name: string, long?: string, big?: string, deep?: string) => {
    if (long !== undefined) return 'a'.repeat(Number(long));
    if (big !== undefined) return `{"content":"${'a'.repeat(Number(big))}"}`;
    if (deep !== undefined) return '['.repeat(Number(deep)) + ']'.repeat(Number(deep));
    return { TOKEN: ctx.token, PORT: String(ctx.port), RUN: ctx.run, ENDED_RUN: ctx.endedRun }[name] ?? '';
  });

/** A header line must stay one line: the fuzzer tests header values, not header injection. */
const oneLine = (text: string): string => text.replace(/[\r\n\0]/g, '');

/**
 * The bytes of `request`. `connection` is added last (`close` for plain requests, so the
 * server ends the exchange itself and we can tell "answered" from "hangs").
 */
export const render = (request: WireRequest, ctx: WireContext, connection?: string): Buffer => {
  const lines = [`${oneLine(request.method)} ${oneLine(expand(request.target, ctx))} HTTP/1.1`];
  for (const [name, value] of request.headers) lines.push(`${oneLine(expand(name, ctx))}: ${oneLine(expand(value, ctx))}`);
  let body: Buffer | undefined;
  if (request.body !== undefined) {
    body = Buffer.from(expand(request.body, ctx), 'utf8');
    if (request.gzip) {
      body = gzipSync(body);
      lines.push('Content-Encoding: gzip');
    }
    lines.push(`Content-Length: ${body.length}`);
  }
  if (connection !== undefined) lines.push(`Connection: ${connection}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return body ? Buffer.concat([head, body]) : head;
};

export type Outcome =
  /** An HTTP answer: its status, its head and as much of its body as came. */
  | { kind: 'answer'; status: number; head: string; body: string }
  /** The connection closed (or was reset) before a single byte of answer. */
  | { kind: 'closed'; reset: boolean }
  /** Bytes that are not an HTTP status line. */
  | { kind: 'garbage'; text: string }
  /** Nothing complete within the time allowed: `received` is what had come by then. */
  | { kind: 'timeout'; received: string }
  /** No connection at all: the server is not listening (it has exited, usually). */
  | { kind: 'refused'; code: string };

export interface ExchangeOptions {
  timeoutMs: number;
  /** The request was a HEAD: its answer has a head only. */
  headOnly?: boolean;
  /** After a `101 Switching Protocols`: bytes to send as the WebSocket client (frames, or junk). */
  afterUpgrade?: Buffer;
  /** After a 101 (and `afterUpgrade`), how long to keep the connection before closing it ourselves. */
  lingerMs?: number;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?\r\n/;

interface Head {
  status: number;
  head: string;
  /** Where the body starts in the bytes received. */
  bodyOffset: number;
}

/** Finds the first non-interim answer's head in what came (a `100 Continue` is skipped), or says why it cannot. */
const classify = (data: Buffer): Head | { garbage: string } | undefined => {
  // latin1 maps bytes to characters one to one, so string offsets are byte offsets.
  const text = data.toString('latin1');
  let at = 0;
  for (;;) {
    const rest = text.slice(at);
    if (rest.length === 0) return undefined;
    const line = STATUS_LINE.exec(rest);
    if (!line) {
      // An incomplete first line is not garbage yet.
      const start = rest.slice(0, 9);
      const partial = !rest.includes('\r\n') && ('HTTP/1.1 '.startsWith(start) || 'HTTP/1.0 '.startsWith(start));
      return partial ? undefined : { garbage: rest.slice(0, 200) };
    }
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const status = Number(line[1]);
    if (status >= 100 && status < 200 && status !== 101) {
      at += end + 4;
      continue;
    }
    return { status, head: rest.slice(0, end), bodyOffset: at + end + 4 };
  }
};

/** How the answer's body ends: after n bytes, at the last chunk, or when the server closes. */
const bodyFraming = (head: Head, headOnly: boolean): number | 'chunked' | 'close' => {
  if (headOnly || head.status === 204 || head.status === 304) return 0;
  if (/\r\ntransfer-encoding:[^\r\n]*chunked/i.test(head.head)) return 'chunked';
  const length = /\r\ncontent-length: *(\d+)/i.exec(head.head);
  return length ? Number(length[1]) : 'close';
};

/**
 * Writes `bytes` to 127.0.0.1:`port` and reads the answer until it is complete (by its
 * Content-Length or last chunk) or the server closes the connection; for a WebSocket upgrade
 * that succeeds, until `lingerMs` after the 101. Never rejects: every way it can go is an Outcome.
 */
export const exchange = (port: number, bytes: Buffer, options: ExchangeOptions): Promise<Outcome> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let total = 0;
    let connected = false;
    let settled = false;
    let upgraded = false;
    /** The answer's head once it has come (after that, data is only collected). */
    let head: Head | undefined;
    let framing: number | 'chunked' | 'close' = 'close';
    const received = () => Buffer.concat(chunks);
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const answer = (): Outcome => {
      const data = received();
      return { kind: 'answer', status: head!.status, head: head!.head, body: data.subarray(head!.bodyOffset).toString('utf8') };
    };
    /** The outcome from what came, once the connection is over (or we stop waiting). */
    const conclude = (reset: boolean, timedOut: boolean): Outcome => {
      const data = received();
      if (head && (!timedOut || upgraded)) return answer();
      if (timedOut) return { kind: 'timeout', received: data.toString('latin1').slice(0, 300) };
      if (data.length === 0) return { kind: 'closed', reset };
      // Closed in the middle of a status line or head.
      return { kind: 'garbage', text: data.toString('latin1').slice(0, 200) };
    };
    const complete = (): boolean => {
      if (framing === 'close') return false;
      if (framing === 'chunked') return received().toString('latin1').endsWith('0\r\n\r\n');
      return total - head!.bodyOffset >= framing;
    };
    const timer = setTimeout(() => finish(conclude(false, true)), options.timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (upgraded) return;
      if (!head) {
        const found = classify(received());
        if (found === undefined) return;
        if ('garbage' in found) return finish({ kind: 'garbage', text: found.garbage });
        head = found;
        if (head.status === 101) {
          // A WebSocket now: play the client for a moment, then hang up ourselves.
          upgraded = true;
          if (options.afterUpgrade && options.afterUpgrade.length > 0) socket.write(options.afterUpgrade);
          setTimeout(() => finish(conclude(false, false)), options.lingerMs ?? 100);
          return;
        }
        framing = bodyFraming(head, options.headOnly ?? false);
      }
      if (complete()) finish(answer());
    });
    // A reset after the answer came is still that answer; before it, a 'closed'.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) finish({ kind: 'refused', code: error.code ?? error.message });
      else finish(conclude(true, false));
    });
    socket.on('close', () => finish(conclude(false, false)));
  });

/** One line for messages: the request as sent (placeholders expanded), shortened. */
export const describeRequest = (request: WireRequest, ctx: WireContext, connection?: string): string => {
  const text = render(request, ctx, connection).toString('utf8');
  return JSON.stringify(text.length > 600 ? `${text.slice(0, 600)}… (${text.length} bytes)` : text);
};

/** One line for messages: what came back. */
export const describeOutcome = (outcome: Outcome): string => {
  switch (outcome.kind) {
    case 'answer':
      return `${outcome.head.split('\r\n')[0]} ${JSON.stringify(outcome.body.slice(0, 300))}`;
    case 'closed':
      return outcome.reset ? 'connection reset without an answer' : 'connection closed without an answer';
    case 'garbage':
      return `not HTTP: ${JSON.stringify(outcome.text)}`;
    case 'timeout':
      return `no complete answer in time; received ${JSON.stringify(outcome.received)}`;
    case 'refused':
      return `connection refused (${outcome.code})`;
  }
};
