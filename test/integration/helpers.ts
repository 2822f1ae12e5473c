/**
 * Shared helpers for the integration suite: a real workbench on loopback
 * (temp db, fixed token, silent logger), a small HTTP client with full control
 * over headers and body, and polling of a run's recorded events.
 *
 * Everything waits by polling with generous deadlines rather than sleeping a
 * fixed time, so the suite stays fast on an idle machine and correct on a
 * loaded one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import type { TelemetryEvent, TelemetryOf, TelemetryType } from '../../patterns/kit/index.ts';
import { ROOT_DIR, startWorkbench, type Workbench, type WorkbenchOptions } from '../../server/app.ts';

export const TOKEN = 'integration-test-token-1234';
/**
 * Timeout for tests and hooks that start runs, wait on the sandbox's watchdog or
 * start a server process: generous, because a loaded 2-core machine starts worker
 * threads and processes several times slower than an idle one. Tests wait by polling,
 * so this costs nothing when things are fast.
 */
export const SLOW = 90_000;
export const PATTERN = 'circuit-breaker';
export const BREAKER_FILE = 'circuit-breaker.ts';
/** How the sandbox names the learner's file in errors (relative to the project root). */
export const BREAKER_PATH = `patterns/${PATTERN}/${BREAKER_FILE}`;
export { ROOT_DIR };

export interface ApiResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  /** The bearer token; `null` sends none. Default: the right one. */
  token?: string | null;
  /** Extra or overriding headers (Host, Origin, Cookie…). */
  headers?: Record<string, string>;
  /** Sent as is instead of JSON-encoding `body` (for malformed bodies). */
  rawBody?: string;
}

/** One HTTP request to 127.0.0.1:`port` with node:http, so Host and Origin can be anything. */
export const httpRequest = (
  port: number,
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<ApiResult> =>
  new Promise((resolve, reject) => {
    const token = options.token === undefined ? TOKEN : options.token;
    const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const headers: Record<string, string> = {
      host: `127.0.0.1:${port}`,
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
    };
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });

/** Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export const waitUntil = async <T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> => {
  const deadline = performance.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'a condition');
      throw new Error(`timed out after ${options.timeoutMs ?? 15_000} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
};

/** A predicate on one event type, typed: `is('circuit.state', (e) => e.to === 'open')`. */
export const is =
  <K extends TelemetryType>(type: K, predicate: (event: TelemetryOf<K>) => boolean = () => true) =>
  (event: TelemetryEvent): event is TelemetryEvent & TelemetryOf<K> =>
    event.type === type && predicate(event as unknown as TelemetryOf<K>);

const summarize = (events: readonly TelemetryEvent[]): string => {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  const tail = events
    .filter((e) => e.type !== 'request' && e.type !== 'metrics' && e.type !== 'load.progress')
    .slice(-8)
    .map((e) => JSON.stringify(e).slice(0, 300));
  return `${events.length} events seen (${[...counts].map(([t, n]) => `${t}×${n}`).join(', ')}); last non-request events:\n  ${tail.join('\n  ')}`;
};

/** A run's recorded events, read incrementally from GET /api/runs/:id/events. */
export class EventFeed {
  /** Every event read so far, in order. */
  readonly seen: TelemetryEvent[] = [];
  private lastSeq = -1;

  constructor(
    private readonly port: number,
    readonly runId: string,
  ) {}

  /** Reads what was recorded since the last read. */
  async poll(): Promise<void> {
    for (;;) {
      const res = await httpRequest(this.port, 'GET', `/api/runs/${this.runId}/events?after=${this.lastSeq}&limit=5000`);
      if (res.status !== 200) throw new Error(`GET events of ${this.runId}: ${res.status} ${res.text}`);
      const { events, lastSeq } = res.body as { events: TelemetryEvent[]; lastSeq: number };
      this.seen.push(...events);
      this.lastSeq = lastSeq;
      if (events.length < 5000) return;
    }
  }

  /** The number of events seen so far, after reading what is recorded now: a point to wait "after". */
  async mark(): Promise<number> {
    await this.poll();
    return this.seen.length;
  }

  /** Waits for the first event at index >= `after` that matches. */
  async waitFor<E extends TelemetryEvent>(
    predicate: ((event: TelemetryEvent) => event is E) | ((event: TelemetryEvent) => boolean),
    options: { after?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<{ event: E; index: number }> {
    const after = options.after ?? 0;
    return waitUntil(
      async () => {
        await this.poll();
        for (let index = after; index < this.seen.length; index++) {
          if (predicate(this.seen[index]!)) return { event: this.seen[index] as E, index };
        }
        return undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 15_000,
        intervalMs: 60,
        what: () => `${options.what ?? 'an event'} in run ${this.runId} (from index ${after}); ${summarize(this.seen)}`,
      },
    );
  }
}

export interface TestWorkbench {
  readonly workbench: Workbench;
  readonly port: number;
  /** `http://127.0.0.1:PORT`: the workbench's own origin. */
  readonly origin: string;
  readonly dbPath: string;
  api<T = any>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiResult<T>>;
  /** POST /api/runs; fails the test unless it answers 201. */
  startRun(lab?: string): Promise<string>;
  /** DELETE /api/runs/:id. */
  stopRun(runId: string): Promise<void>;
  /** The event feed of a run (one per run, shared). */
  feed(runId: string): EventFeed;
  /** Waits for the first event of the run (at index >= `after`) that matches. */
  waitForEvent<E extends TelemetryEvent>(
    runId: string,
    predicate: ((event: TelemetryEvent) => event is E) | ((event: TelemetryEvent) => boolean),
    options?: { after?: number; timeoutMs?: number; what?: string },
  ): Promise<E>;
  /** Saves a new version of an editable file (PUT), returning the raw response. */
  saveFile(file: string, content: string): Promise<ApiResult>;
  /** The reference (shipped) content of an editable file. */
  reference(file: string): Promise<string>;
  /** Opens the live WebSocket of a run (the token as a bearer header, our own Origin). */
  openLive(runId: string, options?: { headers?: Record<string, string> }): WebSocket;
  close(): Promise<void>;
}

/**
 * Where the sandbox writes compiled lab bundles: one folder per process, which it removes
 * only on a clean exit (vitest ends its workers otherwise, and a killed server cannot).
 */
export const sandboxBundleDir = (pid: number = process.pid): string => join(tmpdir(), `patterns-workbench-sandbox-${pid}`);

/** Test workbenches open in this process: the bundle folder goes when the last one closes. */
let openWorkbenches = 0;

export interface TestWorkbenchOptions {
  /** Sandbox tuning for runs, e.g. a short watchdog for containment tests. */
  sandbox?: WorkbenchOptions['sandbox'];
  /** Most live runs (the workbench's default otherwise). */
  maxRuns?: number;
  /** A Redis for the labs' broker (`--redis`). */
  redis?: string;
}

/** Starts a real workbench on 127.0.0.1 with a fresh temp db, the fixed TOKEN and a silent logger. */
export const startTestWorkbench = async (options: TestWorkbenchOptions = {}): Promise<TestWorkbench> => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-it-'));
  const dbPath = join(dir, 'workbench.db');
  let workbench: Workbench;
  try {
    workbench = await startWorkbench({
      port: 0,
      dbPath,
      token: TOKEN,
      log: pino({ level: 'silent' }),
      ...(options.sandbox && { sandbox: options.sandbox }),
      ...(options.maxRuns !== undefined && { maxRuns: options.maxRuns }),
      ...(options.redis !== undefined && { redis: options.redis }),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  openWorkbenches++;
  const { port } = workbench;
  const feeds = new Map<string, EventFeed>();
  const sockets = new Set<WebSocket>();
  let closed = false;

  const api = <T = any>(method: string, path: string, body?: unknown, requestOptions?: RequestOptions) =>
    httpRequest(port, method, path, body, requestOptions) as Promise<ApiResult<T>>;
  const feed = (runId: string) => {
    let existing = feeds.get(runId);
    if (!existing) feeds.set(runId, (existing = new EventFeed(port, runId)));
    return existing;
  };

  return {
    workbench,
    port,
    origin: `http://127.0.0.1:${port}`,
    dbPath,
    api,
    async startRun(lab) {
      const res = await api('POST', '/api/runs', { patternId: PATTERN, ...(lab && { lab }) });
      if (res.status !== 201) throw new Error(`POST /api/runs answered ${res.status}: ${res.text}`);
      return (res.body as { runId: string }).runId;
    },
    async stopRun(runId) {
      await api('DELETE', `/api/runs/${runId}`);
    },
    feed,
    async waitForEvent(runId, predicate, waitOptions) {
      return (await feed(runId).waitFor(predicate, waitOptions)).event;
    },
    saveFile: (file, content) => api('PUT', `/api/patterns/${PATTERN}/files/${file}`, { content }),
    async reference(file) {
      const res = await api('GET', `/api/patterns/${PATTERN}/files/${file}/reference`);
      if (res.status !== 200) throw new Error(`GET reference: ${res.status} ${res.text}`);
      return (res.body as { content: string }).content;
    },
    openLive(runId, liveOptions = {}) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/live?run=${encodeURIComponent(runId)}`, {
        headers: { authorization: `Bearer ${TOKEN}`, origin: `http://127.0.0.1:${port}`, ...liveOptions.headers },
      });
      socket.on('error', () => undefined);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      return socket;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.terminate();
      try {
        await workbench.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        if (--openWorkbenches === 0) rmSync(sandboxBundleDir(), { recursive: true, force: true });
      }
    },
  };
};

/**
 * Inserts `insertion` on its own line(s) right after the first line of
 * `source` that contains `anchor` (the anchor must occur exactly once), and
 * returns the new source and the 1-based line where the insertion starts.
 */
export const insertAfterLine = (source: string, anchor: string, insertion: string): { content: string; line: number } => {
  const lines = source.split('\n');
  const matches = lines.flatMap((text, index) => (text.includes(anchor) ? [index] : []));
  if (matches.length !== 1) throw new Error(`anchor ${JSON.stringify(anchor)} found ${matches.length} times, expected once`);
  const at = matches[0]! + 1;
  lines.splice(at, 0, ...insertion.split('\n'));
  return { content: lines.join('\n'), line: at + 1 };
};

/** The 1-based line of the only line of `source` containing `needle`. */
export const lineOf = (source: string, needle: string): number => {
  const lines = source.split('\n');
  const matches = lines.flatMap((text, index) => (text.includes(needle) ? [index + 1] : []));
  if (matches.length !== 1) throw new Error(`${JSON.stringify(needle)} found on ${matches.length} lines, expected one`);
  return matches[0]!;
};

/** Resolves with the upgrade's HTTP status when the server refuses a WebSocket, or 101 when it opens. */
export const upgradeStatus = (socket: WebSocket): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve({ status: 101, body: '' });
      socket.close();
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      const done = () => {
        resolve({ status: res.statusCode ?? 0, body });
        socket.terminate();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', done);
      res.on('error', done);
    });
    // terminate() on a refused handshake reports an error: it is expected here.
    socket.on('error', () => undefined);
    socket.once('error', (error) => reject(error));
  });

/** `server/main.ts`, as `npm start` runs it. */
export const MAIN = join(ROOT_DIR, 'server', 'main.ts');

/** Runs `node --import tsx server/main.ts ...args` from the project root, without the caller's WORKBENCH_* settings. */
export const spawnMain = (args: string[], env: Record<string, string> = {}): ChildProcess => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WORKBENCH_')));
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT_DIR,
    env: { ...base, WORKBENCH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
};

/** Collects a child's output and resolves with its exit code (or the signal that ended it). */
export const collectExit = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> => {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
};

/** Waits for the "Workbench ready at URL" line of a started server and returns the URL. */
export const readyUrl = (child: ChildProcess, timeoutMs = 60_000): Promise<URL> =>
  new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "Workbench ready" line in ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      output += String(chunk);
      const match = /Workbench ready at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(new URL(match[1]!));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer | string) => (output += String(chunk)));
    // 'close', not 'exit': by then everything the server printed has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready; output:\n${output}`));
    });
  });

/**
 * The circuit breaker's reference with its consecutive-failures threshold set to `n`: a real,
 * harmless edit whose effect a run shows (the circuit opens after `n` failures).
 */
export const breakerWithThreshold = (reference: string, n: number): string => {
  const edited = reference.replace('consecutiveFailures: 5,', `consecutiveFailures: ${n},`);
  if (n !== 5 && edited === reference) throw new Error("the breaker's reference no longer has 'consecutiveFailures: 5,'");
  return edited;
};
