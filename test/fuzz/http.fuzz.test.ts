/**
 * Fuzzing the workbench's boundary (DESIGN.md, "Security and robustness"): nothing a client
 * sends, on HTTP or on a WebSocket upgrade, may reach an uncaught exception. An unexpected
 * error is a 500 with a logged id and the process goes on.
 *
 * A real workbench runs as a child process (`server/main.ts`, as `npm start` runs it), so a
 * crash shows up as that process exiting, not as the test runner dying. Requests are
 * written by hand over a plain TCP socket (`wire.ts`), so request lines, headers and bodies
 * can be anything: not only what node:http or a browser would send. What is sent comes
 * from the generators in `arbitraries.ts`.
 *
 * Every case of every property must get, within ANSWER_MS (no hang), an HTTP answer that is
 * not a 5xx, and leave the process running (no crash); an upgrade may also be refused by
 * closing the connection. After each property the workbench must still answer
 * GET /api/patterns with 200. Each property also checks that what got through was allowed
 * to (a 2xx from the API, a 101 or a token cookie only for a request that carried the token).
 *
 * Bounded for `npm test`: FUZZ_RUNS cases per property (default 250, about 15 s for the file
 * on an idle 2-core machine) and a fixed seed. For a deeper local run:
 *   FUZZ_RUNS=2000 FUZZ_SEED=$RANDOM node_modules/.bin/vitest run test/fuzz
 * (FUZZ_VERBOSE=1 prints what came back per property; FUZZ_VERBOSE=2 every case). A failure
 * prints the seed, the path and the shrunk request; replay it with FUZZ_SEED=<seed>
 * FUZZ_PATH=<path>. A crash is shrunk too: the workbench is restarted for each candidate,
 * up to FUZZ_MAX_RESTARTS times.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../patterns/kit/index.ts';
import { createExerciseRoutes } from '../../server/http/exercise-routes.ts';
import { createRoutes } from '../../server/http/routes.ts';
import { webDistDir } from '../../server/http/web-build.ts';
import { collectExit, httpRequest, PATTERN, readyUrl, ROOT_DIR, sandboxBundleDir, SLOW, spawnMain, type ApiResult } from '../integration/helpers.ts';
import {
  apiRequest,
  type ApiCase,
  encodeAfterUpgrade,
  headerStormRequest,
  pageRequest,
  upgradeRequest,
  type Known,
  type RouteShape,
  type StormCase,
  type UpgradeCase,
} from './arbitraries.ts';
import { describeOutcome, describeRequest, exchange, render, type Outcome, type WireContext, type WireRequest } from './wire.ts';

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const TOKEN = 'fuzz-token-7d41c09a';
/** Cases per property. */
const RUNS = envInt('FUZZ_RUNS', 250);
/** Fixed unless asked, so `npm test` is repeatable; any failure prints it. */
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20_260_517;
const PATH = process.env.FUZZ_PATH;
/** No complete answer by then is a hang. Generous: a run start or an exercise check takes seconds on a loaded 2-core machine. */
const ANSWER_MS = envInt('FUZZ_ANSWER_MS', 20_000);
/** Time for one property, shrinking included, before fast-check stops it; the test's own timeout is a minute more. */
const PROPERTY_MS = envInt('FUZZ_PROPERTY_MS', Math.max(120_000, RUNS * 600));
/** Restarts of a crashed workbench while one property shrinks the crash (each costs a few seconds). */
const MAX_RESTARTS = envInt('FUZZ_MAX_RESTARTS', 12);

/**
 * The API routes, read from the same tables the server mounts, so a new route is fuzzed
 * without touching this file. The factories only close over their services: stubs do.
 */
const ROUTES: RouteShape[] = (() => {
  const none = undefined as never;
  return [
    ...createRoutes({ registry: none, store: none, runs: none, code: none }),
    ...createExerciseRoutes({ exercises: [], runner: none, store: none, registry: none }),
  ].map(({ method, path }) => ({ method, path }));
})();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workbench under test: `server/main.ts` in a child process, restarted when a case has killed it. */
class Target {
  port = 0;
  /** A live run with no load: for valid upgrades, and for run routes to get past "not found". */
  run = '';
  /** A run that has ended: run routes answer 409 for it. */
  endedRun = '';
  /** Every crash seen in the current property, with the request that caused it. */
  crashes: string[] = [];
  /** Restarts in the current property. */
  restarts = 0;
  /** The last request sent, for blame when the process dies between cases. */
  lastRequest = '(none)';
  /** Set after a case that may have stopped the live run (a DELETE, a save that redeploys…): check it before the next. */
  runMayHaveEnded = false;
  /** Set once a crash has been reported: the next case may restart the process quietly. */
  private crashReported = false;
  private child: ChildProcess | undefined;
  private exit: Promise<unknown> = Promise.resolve();
  private output = '';
  private readonly pids: number[] = [];

  constructor(private readonly dbPath: string) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  context(): WireContext {
    return { port: this.port, token: TOKEN, run: this.run, endedRun: this.endedRun };
  }

  async start(): Promise<void> {
    const child = spawnMain(['--port', '0', '--no-open', '--db', this.dbPath, '--token', TOKEN]);
    this.child = child;
    this.pids.push(child.pid!);
    this.output = '';
    this.crashReported = false;
    // Its log: a 5xx's error id and stack, or a crash's last words.
    const capture = (chunk: Buffer | string) => (this.output = (this.output + String(chunk)).slice(-20_000));
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    this.exit = collectExit(child);
    this.port = Number((await readyUrl(child)).port);
    await this.prepareRuns();
  }

  /** How it ended, and the last of what it printed. */
  describeExit(): string {
    return `exit code ${this.child?.exitCode}, signal ${this.child?.signalCode}; its last output:\n${this.tail()}`;
  }

  tail(chars = 2_000): string {
    return this.output.slice(-chars);
  }

  /** Whether the process has exited, or does within `ms`. */
  async exitsWithin(ms: number): Promise<boolean> {
    if (this.alive && ms > 0) await Promise.race([this.exit, sleep(ms)]);
    return !this.alive;
  }

  /** Notes a crash for the report at the end of the property; the next case restarts the process. */
  crashed(on: string): string {
    const message = `the workbench CRASHED on ${on}\n  ${this.describeExit()}`;
    this.crashes.push(message);
    this.crashReported = true;
    return message;
  }

  /**
   * Before each case. A process killed by an earlier case (already reported) is restarted,
   * a few times per property; past that, cases are skipped, which ends fast-check's shrinking
   * with the smallest crashing request found so far. A process that died unseen, after its
   * answer, is reported against the request before.
   */
  async beforeCase(): Promise<void> {
    if (this.alive) {
      if (this.runMayHaveEnded) await this.ensureLiveRun();
      return;
    }
    if (!this.crashReported) {
      const message = this.crashed(`a request before this one (after its answer); the last one sent was ${this.lastRequest}`);
      if (this.restarts < MAX_RESTARTS) {
        this.restarts++;
        await this.start();
      }
      throw new Error(message);
    }
    fc.pre(this.restarts < MAX_RESTARTS);
    this.restarts++;
    await this.start();
  }

  api(method: string, path: string, body?: unknown): Promise<ApiResult> {
    return httpRequest(this.port, method, path, body, { token: TOKEN });
  }

  /** Between properties: stop what cases started, keep one live run with no load, restart if needed. */
  async tidy(): Promise<void> {
    if (!this.alive) await this.start();
    await this.stopRuns(this.run);
    await this.ensureLiveRun();
    await this.api('PUT', `/api/runs/${this.run}/load`, { model: 'none' });
  }

  /** Starts a new live run if a case stopped ours (or made it fail). */
  async ensureLiveRun(): Promise<void> {
    this.runMayHaveEnded = false;
    const run = await this.api('GET', `/api/runs/${this.run}`);
    if (run.status === 200 && run.body.live) return;
    this.run = await this.startRun();
    await this.api('PUT', `/api/runs/${this.run}/load`, { model: 'none' });
  }

  async stop(): Promise<void> {
    if (this.child && this.alive) {
      this.child.kill('SIGTERM');
      const kill = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
      await this.exit;
      clearTimeout(kill);
    }
    // A crashed server leaves its compiled bundles behind.
    for (const pid of this.pids) rmSync(sandboxBundleDir(pid), { recursive: true, force: true });
  }

  private async prepareRuns(): Promise<void> {
    if (!this.endedRun) {
      const ended = await this.startRun();
      await this.api('DELETE', `/api/runs/${ended}`);
      this.endedRun = ended;
    }
    this.run = await this.startRun();
    await this.api('PUT', `/api/runs/${this.run}/load`, { model: 'none' });
  }

  private async startRun(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.api('POST', '/api/runs', { patternId: PATTERN });
      if (res.status === 201) return (res.body as { runId: string }).runId;
      if (attempt === 3) throw new Error(`POST /api/runs answered ${res.status}: ${res.text}`);
      // Cases started runs up to the limit; or a fuzzed save left code that does not start: back to the reference.
      if (res.status === 429) await this.stopRuns();
      if (res.status === 422) {
        const pattern = await this.api('GET', `/api/patterns/${PATTERN}`);
        for (const file of pattern.body.files as Array<{ name: string }>) await this.api('POST', `/api/patterns/${PATTERN}/files/${file.name}/reset`);
      }
    }
  }

  private async stopRuns(keep?: string): Promise<void> {
    const runs = await this.api('GET', '/api/runs');
    for (const record of runs.body as Array<{ id: string; live: boolean }>) {
      if (record.live && record.id !== keep) await this.api('DELETE', `/api/runs/${record.id}`);
    }
  }
}

/** What came back in one property, by kind: to check that cases got past the door. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  count(predicate: (key: string) => boolean): number {
    return [...this.counts].filter(([key]) => predicate(key)).reduce((sum, [, n]) => sum + n, 0);
  }
  toString(): string {
    return [...this.counts].sort().map(([key, n]) => `${key}×${n}`).join(' ');
  }
}

interface CaseOptions {
  /** The Connection header to add; none when the request carries its own (upgrades). */
  connection?: string;
  afterUpgrade?: Buffer;
  /** Whether closing without an answer is an acceptable refusal (it is for a broken upgrade). */
  mayClose: boolean;
}

/** The API's requests are the ones under /api, whatever the case of the letters or an absolute form. */
const isApiTarget = (target: string): boolean => /^(https?:\/\/[^/]*)?\/api(\/|\?|$)/i.test(target);

/** Whether node sees an upgrade (and so calls the upgrade handler, not the app): a non-empty Upgrade header and `Connection: upgrade`. */
const isUpgrade = (request: WireRequest): boolean =>
  request.headers.some(([name, value]) => name.toLowerCase() === 'upgrade' && value.trim() !== '') &&
  request.headers.some(([name, value]) => name.toLowerCase() === 'connection' && /(^|,)\s*upgrade\s*(,|$)/i.test(value));

/** Whether the rendered request carries the token anywhere: a 2xx from the API, a 101 or a token cookie needs it. */
const carriesToken = (request: WireRequest, ctx: WireContext): boolean => render(request, ctx).toString('utf8').includes(ctx.token);

let target: Target;
let known: Known;
let dir: string;

/**
 * Sends one generated request and checks what every case must satisfy: an answer (or a
 * clean close where that is a refusal), within ANSWER_MS, that is not a 5xx, and the
 * workbench still running afterwards. Returns the outcome for each property's own checks.
 */
const sendCase = async (request: WireRequest, options: CaseOptions, tally: Tally): Promise<{ outcome: Outcome; ctx: WireContext }> => {
  await target.beforeCase();
  const ctx = target.context();
  const bytes = render(request, ctx, options.connection);
  const shown = describeRequest(request, ctx, options.connection);
  target.lastRequest = shown;
  const outcome = await exchange(ctx.port, bytes, {
    timeoutMs: ANSWER_MS,
    headOnly: request.method === 'HEAD',
    ...(options.afterUpgrade && { afterUpgrade: options.afterUpgrade }),
    lingerMs: 100,
  });
  // A process dying on a request drops the connection first: give its exit a moment to be seen.
  if (await target.exitsWithin(outcome.kind === 'answer' ? 0 : 1_000)) {
    throw new Error(`${target.crashed(shown)}\n  answer: ${describeOutcome(outcome)}`);
  }
  // Anything but a read may have stopped the live run: a DELETE, a save or reset that redeploys, a params change.
  if (request.method !== 'GET' && request.method !== 'HEAD') target.runMayHaveEnded = true;
  tally.add(outcome.kind === 'answer' ? String(outcome.status) : outcome.kind);
  if (process.env.FUZZ_VERBOSE === '2') console.log(`${describeOutcome(outcome).slice(0, 160)} <= ${shown.slice(0, 200)}`);
  const failure = (what: string) => new Error(`${what}\n  request: ${shown}\n  answer: ${describeOutcome(outcome)}\n  server output:\n${target.tail()}`);
  switch (outcome.kind) {
    case 'timeout':
      throw failure(`no complete answer within ${ANSWER_MS} ms (a hang)`);
    case 'garbage':
      throw failure('an answer that is not HTTP');
    case 'refused':
      throw failure('the workbench is running but refused the connection');
    case 'closed':
      // A large body the server stopped reading after refusing it may end in a reset that loses the answer.
      if (!options.mayClose && bytes.length <= 256 * 1024) throw failure('the connection closed without an answer');
      break;
    case 'answer':
      if (outcome.status >= 500) throw failure(`a ${outcome.status}`);
  }
  return { outcome, ctx };
};

/** Runs one property with the suite's seed and bounds; a failure says how to replay it. */
const runProperty = async <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T, tally: Tally) => Promise<void>, examples: T[] = []): Promise<Tally> => {
  const tally = new Tally();
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, (value) => predicate(value, tally)),
      {
        numRuns: RUNS,
        seed: SEED,
        ...(PATH !== undefined && { path: PATH }),
        // Requests that once broke the workbench: every run tries them first.
        examples: examples.map((example) => [example] as [T]),
        plugins: [fc.interruptAfterTimeLimit(PROPERTY_MS)],
      },
    );
  } catch (error) {
    if (error instanceof Error) error.message += `\n\nReplay: FUZZ_SEED=${SEED} FUZZ_PATH=<path above> node_modules/.bin/vitest run test/fuzz/http.fuzz.test.ts`;
    throw error;
  }
  if (process.env.FUZZ_VERBOSE) console.log(`fuzz: ${expect.getState().currentTestName}: ${tally}`);
  return tally;
};

/** The handshake of a valid upgrade, for the examples. */
const HANDSHAKE: Array<[string, string]> = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
];
const HOST: [string, string] = ['Host', '127.0.0.1:$PORT'];

describe('fuzz: nothing a client sends gets a 5xx, a hang or a crash', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-fuzz-'));
    target = new Target(join(dir, 'workbench.db'));
    await target.start();
    known = await readKnown();
  }, SLOW);

  afterAll(async () => {
    await target?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, SLOW);

  beforeEach(() => {
    target.crashes = [];
    target.restarts = 0;
  });

  // After each property: no crash was seen, and the workbench still serves the API.
  afterEach(async () => {
    const crashes = target.crashes;
    const alive = target.alive;
    await target.tidy();
    expect(crashes, crashes.join('\n\n')).toEqual([]);
    expect(alive, 'the workbench was not running at the end of the property').toBe(true);
    const res = await target.api('GET', '/api/patterns');
    expect(res.status, res.text).toBe(200);
  }, SLOW);

  it('the wire client tells an answer, a 101 and a refusal apart (the harness works)', async () => {
    const tally = new Tally();
    const plain = await sendCase({ method: 'GET', target: '/api/patterns', headers: [HOST, ['Authorization', 'Bearer $TOKEN']] }, { connection: 'close', mayClose: false }, tally);
    expect(plain.outcome).toMatchObject({ kind: 'answer', status: 200 });
    const upgrade = await sendCase(
      { method: 'GET', target: '/api/live?run=$RUN', headers: [HOST, ['Authorization', 'Bearer $TOKEN'], ...HANDSHAKE] },
      { mayClose: false },
      tally,
    );
    expect(upgrade.outcome).toMatchObject({ kind: 'answer', status: 101 });
    const refused = await sendCase({ method: 'GET', target: '/api/live?run=$RUN', headers: [HOST, ...HANDSHAKE] }, { mayClose: false }, tally);
    expect(refused.outcome).toMatchObject({ kind: 'answer', status: 401 });
    // Keep-alive: the answer is complete by its length, not by the server closing.
    const keepAlive = await sendCase({ method: 'GET', target: '/api/patterns', headers: [HOST, ['Authorization', 'Bearer $TOKEN']] }, { mayClose: false }, tally);
    expect(keepAlive.outcome).toMatchObject({ kind: 'answer', status: 200 });
  }, SLOW);

  it(
    'raw WebSocket upgrades: a refusal (4xx or a close) or, with the token, a 101; never a crash',
    async () => {
      const tally = await runProperty(
        upgradeRequest,
        async ({ request, after }: UpgradeCase, tally) => {
          const { outcome, ctx } = await sendCase(request, { afterUpgrade: encodeAfterUpgrade(after), mayClose: true }, tally);
          // Without `Upgrade` and `Connection: upgrade` node hands the request to the app as plain HTTP.
          if (outcome.kind !== 'answer' || !isUpgrade(request)) return;
          const shown = describeRequest(request, ctx);
          expect(outcome.status === 101 || (outcome.status >= 400 && outcome.status < 500), `${outcome.status} for ${shown}`).toBe(true);
          if (outcome.status === 101) expect(carriesToken(request, ctx), `a 101 without the token: ${shown}`).toBe(true);
        },
        [
          // `new WebSocket('ws://127.0.0.1:PORT//')` from any page: the path does not parse.
          { request: { method: 'GET', target: '//', headers: [HOST, ...HANDSHAKE] }, after: { nothing: true } },
          // A cookie set by a page on another port of 127.0.0.1: decodeURIComponent('%') throws.
          { request: { method: 'GET', target: '/api/live?run=$RUN', headers: [HOST, ['Cookie', 'workbench_token=%'], ...HANDSHAKE] }, after: { nothing: true } },
        ],
      );
      // The fuzz must get through the door now and then, or it tests only the door.
      if (RUNS >= 50) expect(tally.count((k) => k === '101'), `no valid upgrade in ${tally}`).toBeGreaterThan(0);
    },
    PROPERTY_MS + 60_000,
  );

  it(
    'headers and cookies (Host, Origin, Cookie, Authorization and more) on each door',
    async () => {
      await runProperty(
        headerStormRequest,
        async ({ request, upgrade }: StormCase, tally) => {
          const { outcome, ctx } = await sendCase(request, upgrade ? { mayClose: true } : { connection: 'close', mayClose: false }, tally);
          if (outcome.kind !== 'answer') return;
          const shown = describeRequest(request, ctx);
          if (isApiTarget(request.target) && outcome.status < 300) expect(carriesToken(request, ctx), `the API answered ${outcome.status} without the token: ${shown}`).toBe(true);
          if (/\r\nset-cookie:/i.test(outcome.head)) expect(carriesToken(request, ctx), `a cookie set without the token: ${shown}`).toBe(true);
        },
        [{ request: { method: 'GET', target: '/api/patterns', headers: [HOST, ['Cookie', 'workbench_token=%']] }, upgrade: false }],
      );
    },
    PROPERTY_MS + 60_000,
  );

  it(
    'pages and static files: paths, %-escapes, traversal, ?token= values',
    async () => {
      await runProperty(pageRequest(known), async (request: WireRequest, tally) => {
        const { outcome, ctx } = await sendCase(request, { connection: 'close', mayClose: false }, tally);
        if (outcome.kind !== 'answer') return;
        const shown = describeRequest(request, ctx);
        // package.json is the nearest file outside the web build: its content must never come back.
        expect(outcome.body.includes('"allowScripts"'), `a file outside the web build served for ${shown}`).toBe(false);
        if (/\r\nset-cookie:/i.test(outcome.head)) expect(carriesToken(request, ctx), `a cookie set without the token: ${shown}`).toBe(true);
        if (isApiTarget(request.target) && outcome.status < 300) expect(carriesToken(request, ctx), `the API answered ${outcome.status} without the token: ${shown}`).toBe(true);
      });
    },
    PROPERTY_MS + 60_000,
  );

  it(
    `every API route (${ROUTES.length} from the route tables): parameters, queries, bodies, headers`,
    async () => {
      const tally = await runProperty(
        apiRequest(ROUTES, known),
        async ({ route, request }: ApiCase, tally) => {
          const { outcome, ctx } = await sendCase(request, { connection: 'close', mayClose: false }, tally);
          if (outcome.kind !== 'answer') return;
          if (outcome.status < 300) {
            expect(carriesToken(request, ctx), `the API answered ${outcome.status} without the token: ${describeRequest(request, ctx)}`).toBe(true);
            tally.add(`2xx ${route}`);
          }
        },
        [{ route: 'get /api/patterns', request: { method: 'GET', target: '/api/patterns', headers: [HOST, ['Cookie', 'workbench_token=%']] } }],
      );
      // Cases must get past validation into the handlers, or they test only the door and zod.
      if (RUNS >= 100) {
        const reached = ROUTES.filter(({ method, path }) => tally.count((k) => k === `2xx ${method} ${path}`) > 0).length;
        expect(reached, `routes that answered a 2xx: ${tally}`).toBeGreaterThanOrEqual(ROUTES.length / 2);
      }
    },
    PROPERTY_MS + 60_000,
  );
});

/** Real values of this workbench, read through its API: they get fuzzed requests into handlers. */
const readKnown = async (): Promise<Known> => {
  const get = async (path: string) => {
    const res = await target.api('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const patterns = (await get('/api/patterns')) as Array<{ id: string }>;
  const details = await Promise.all(
    patterns.map(
      (p) => get(`/api/patterns/${p.id}`) as Promise<{ id: string; files: Array<{ name: string }>; labs: Array<{ id: string; faultPoints: Array<{ id: string }>; params: ParamSpec[] }> }>,
    ),
  );
  const fixtureLab = details.find((d) => d.id === PATTERN)!.labs[0]!;
  const exercises = (await get('/api/exercises')) as Array<{ id: string }>;
  const first = (await get(`/api/exercises/${exercises[0]!.id}`)) as { starter: string };
  const assets = join(webDistDir(ROOT_DIR), 'assets');
  return {
    patternIds: patterns.map((p) => p.id),
    labIds: [...new Set(details.flatMap((d) => d.labs.map((l) => l.id)))],
    files: [...new Set(details.flatMap((d) => d.files.map((f) => f.name)))],
    filesByPattern: Object.fromEntries(details.map((d) => [d.id, d.files.map((f) => f.name)])),
    faultPoints: fixtureLab.faultPoints.map((f) => f.id),
    params: fixtureLab.params,
    exerciseIds: exercises.map((e) => e.id),
    starter: first.starter,
    assets: existsSync(assets) ? readdirSync(assets).slice(0, 20).map((name) => `/assets/${name}`) : [],
  };
};
