/**
 * How fast learner code gets going in its sandbox process, against the issue's
 * goals (figures, never pass/fail): starting a run, an exercise's checks, and a
 * save reaching a live run. A real workbench in this process (temp db, a
 * token, port 0, a silent logger), driven over real HTTP with the token, as
 * the web app and the integration tests drive it.
 *
 * 1. Run start (goal ≤ 300 ms median): POST /api/runs for the circuit-breaker
 *    lab, until the run's `run.started` event can be read back. That is the
 *    moment the Lab tab can show it: the page gets the run id from the POST,
 *    then loads the run's recorded events (GET /api/runs/:id/events, newest
 *    first) beside its live socket (web/src/api/live.ts). The host records
 *    `run.started` before the POST answers (the engine flushes it before it
 *    says `ready`), so the read-back costs one more request, no wait. Measured
 *    with the pool of warm sandbox processes (the default, 2) and, as the
 *    reference, in a workbench with `warmSandboxes: 0` (every run spawns its
 *    process); the two alternate in ROUNDS rounds (a workbench each), so a
 *    shared machine getting busier moves both alike. Between starts the run is
 *    stopped and the bench waits until the pool is full and idle again, as it
 *    is when a learner starts a run.
 * 2. Checks (goal ≤ 200 ms median, ≤ 1 s max): POST /api/exercises/:id/check
 *    with each exercise's starter code and its solution, a few times each,
 *    idle (pool and no pool, in the same alternating rounds), then while a
 *    circuit-breaker run is live at 1,000 req/s (the "under load" row). Wall
 *    time of the request; compiling the checks alone is timed as a breakdown.
 *    Between checks the bench waits for the pool to refill, as a learner
 *    reading results does; the back-to-back figure is printed too.
 * 3. Save → first event of the new code (goal ≤ 150 ms median): with a live
 *    run at the lab's default load, PUT the breaker file with a comment added
 *    (a new one each save), until the run's `run.deployed` for that version and
 *    the first event after it. Timed twice: when the server has them (an
 *    in-process subscription, `workbench.runs.subscribe`, the hub's own
 *    source), and when a live WebSocket client (what the page uses) gets them:
 *    the hub batches every 100 ms (run.* events go at once), so that one is what a learner sees.
 *
 * The workbench's own steps are timed from outside too, without changing it:
 * `runs.compile`, `runs.trial` and `runs.deploy` of the RunManager are wrapped
 * (in this process's instance only) for the breakdown rows.
 *
 *   npm run bench -- sandbox
 *   BENCH_SANDBOX_STARTS=15 BENCH_SANDBOX_CHECK_REPS=3 BENCH_SANDBOX_SAVES=15 BENCH_SANDBOX_ROUNDS=3 \
 *     node --import tsx test/bench/sandbox.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import WebSocket from 'ws';
import type { TelemetryBatch, TelemetryEvent } from '../../patterns/kit/index.ts';
import { ROOT_DIR, startWorkbench, type Workbench } from '../../server/app.ts';
import { loadExercises as loadCatalog } from '../../server/exercises/catalog.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { compileLab } from '../../server/sandbox/compile.ts';
import { BREAKER_FILE, httpRequest, PATTERN, TOKEN, type ApiResult } from '../integration/helpers.ts';
import type { BenchResult } from './result.ts';

const STARTS = Number(process.env.BENCH_SANDBOX_STARTS ?? 15);
const CHECK_REPS = Number(process.env.BENCH_SANDBOX_CHECK_REPS ?? 3);
const SAVES = Number(process.env.BENCH_SANDBOX_SAVES ?? 15);
/** Rounds alternating a workbench with the pool and one without (run starts and idle checks are split over them). */
const ROUNDS = Number(process.env.BENCH_SANDBOX_ROUNDS ?? 3);
const LOAD_RATE = 1000;
/** The pool size `startWorkbench` keeps by default. */
const POOL = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile (with 15 samples, p95 is the largest). */
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};
const median = (values: number[]): number => percentile(values, 50);

// ---------------------------------------------------------------- sandbox processes

/** The sandbox processes this process has started (their first module is child-main), with their CPU ticks. */
const sandboxChildren = (): Array<{ pid: number; cpu: number }> => {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      for (const pid of readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/)) if (pid) pids.add(Number(pid));
    } catch {
      // The thread ended meanwhile.
    }
  }
  const found: Array<{ pid: number; cpu: number }> = [];
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('child-main')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      found.push({ pid, cpu: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // It ended meanwhile.
    }
  }
  return found;
};

/**
 * Waits until `count` sandbox processes are there and at least `idle` of them used no CPU over
 * 250 ms (a pool process that has installed its guards waits without a tick): the pool is full
 * and ready, as it is when a learner comes back to the page. Gives up quietly after 15 s.
 */
const settle = async (count: number, idle = count): Promise<void> => {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const before = sandboxChildren();
    await sleep(250);
    const after = new Map(sandboxChildren().map((c) => [c.pid, c.cpu]));
    const still = before.filter((c) => after.get(c.pid) === c.cpu).length;
    if (after.size === count && before.length === count && still >= idle) return;
  }
  console.log(`  (the sandbox processes did not settle at ${count} (${idle} idle) within 15 s: ${sandboxChildren().length} now)`);
};

// ---------------------------------------------------------------- the workbench

interface Bench {
  workbench: Workbench;
  port: number;
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResult<T>>;
  /** Phase durations of the RunManager's steps, by name, since the last `takeSteps`. */
  takeSteps(): Record<string, number[]>;
  close(): Promise<void>;
}

const startBench = async (warmSandboxes?: number): Promise<Bench> => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-sandbox-'));
  let workbench: Workbench;
  try {
    workbench = await startWorkbench({
      port: 0,
      dbPath: join(dir, 'workbench.db'),
      token: TOKEN,
      log: pino({ level: 'silent' }),
      ...(warmSandboxes !== undefined && { warmSandboxes }),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // Timing wrappers on this instance's steps (nothing else sees them).
  let steps: Record<string, number[]> = {};
  const runs = workbench.runs as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['compile', 'trial', 'deploy']) {
    const original = runs[name]!.bind(workbench.runs);
    runs[name] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        (steps[name] ??= []).push(performance.now() - started);
      }
    };
  }
  return {
    workbench,
    port: workbench.port,
    api: (method, path, body) => httpRequest(workbench.port, method, path, body),
    takeSteps: () => {
      const taken = steps;
      steps = {};
      return taken;
    },
    close: async () => {
      try {
        await workbench.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
};

const ok = <T>(res: ApiResult<T>, what: string): T => {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.body;
};

const startRun = async (bench: Bench): Promise<string> =>
  ok(await bench.api<{ runId: string }>('POST', '/api/runs', { patternId: PATTERN }), 'POST /api/runs').runId;

// ---------------------------------------------------------------- 1. run start

interface StartTimes {
  /** POST until `run.started` read back. */
  total: number[];
  /** POST until its 201. */
  post: number[];
  /** The compile inside it. */
  compile: number[];
}

const measureStarts = async (bench: Bench, pool: number, label: string, warmUp: boolean): Promise<StartTimes> => {
  const count = Math.max(1, Math.round(STARTS / ROUNDS));
  const times: StartTimes = { total: [], post: [], compile: [] };
  // One start first, not counted, in the first round: esbuild's and V8's first-time costs are not the pool's.
  for (let i = warmUp ? -1 : 0; i < count; i++) {
    await settle(pool);
    bench.takeSteps();
    const t0 = performance.now();
    const runId = await startRun(bench);
    const tPost = performance.now();
    for (;;) {
      const page = ok(
        await bench.api<{ events: TelemetryEvent[] }>('GET', `/api/runs/${runId}/events?order=desc&limit=50`),
        'GET events',
      );
      if (page.events.some((e) => e.type === 'run.started')) break;
      if (performance.now() - t0 > 30_000) throw new Error(`run ${runId}: no run.started after 30 s`);
      await sleep(5);
    }
    const tStarted = performance.now();
    const compile = bench.takeSteps().compile ?? [];
    ok(await bench.api('DELETE', `/api/runs/${runId}`), 'DELETE run');
    if (i < 0) continue;
    times.total.push(tStarted - t0);
    times.post.push(tPost - t0);
    times.compile.push(compile.reduce((a, b) => a + b, 0));
  }
  console.log(`  ${label}: ${times.total.map((t) => round(t)).join(' ')} ms`);
  return times;
};

// ---------------------------------------------------------------- 2. checks

interface Exercise {
  id: string;
  starter: string;
  solution: string;
}

const loadExercises = async (bench: Bench): Promise<Exercise[]> => {
  const list = ok(await bench.api<Array<{ id: string }>>('GET', '/api/exercises'), 'GET /api/exercises');
  const exercises: Exercise[] = [];
  for (const { id } of list) {
    const detail = ok(await bench.api<{ starter: string }>('GET', `/api/exercises/${id}`), `GET exercise ${id}`);
    const solution = ok(await bench.api<{ content: string }>('GET', `/api/exercises/${id}/solution`), `GET solution ${id}`);
    exercises.push({ id, starter: detail.starter, solution: solution.content });
  }
  return exercises;
};

interface CheckTimes {
  wall: number[];
  /** The runner's own `durationMs` (compile + sandbox), from the answer. */
  runner: number[];
  /** Checks whose answer was not what the code should get (solution not passing, an error). */
  odd: string[];
}

const measureChecks = async (
  bench: Bench,
  exercises: Exercise[],
  reps: number,
  between: () => Promise<void>,
): Promise<CheckTimes> => {
  const times: CheckTimes = { wall: [], runner: [], odd: [] };
  for (let r = 0; r < reps; r++) {
    for (const exercise of exercises) {
      for (const [kind, code] of [
        ['starter', exercise.starter],
        ['solution', exercise.solution],
      ] as const) {
        await between();
        const t0 = performance.now();
        const res = await bench.api<{ status: string; durationMs: number; message?: string }>('POST', `/api/exercises/${exercise.id}/check`, { code });
        const wall = performance.now() - t0;
        if (res.status !== 200) {
          times.odd.push(`${exercise.id} ${kind}: HTTP ${res.status} ${res.text.slice(0, 120)}`);
          continue;
        }
        times.wall.push(wall);
        times.runner.push(res.body.durationMs);
        const { status, message } = res.body;
        if (status === 'error' || (kind === 'solution' && status !== 'pass')) {
          times.odd.push(`${exercise.id} ${kind}: ${status}${message ? ` (${message.slice(0, 120)})` : ''}`);
        }
      }
    }
  }
  return times;
};

// ---------------------------------------------------------------- 3. saves

interface SaveTimes {
  /** PUT until the in-process subscription has `run.deployed` of the version. */
  deployed: number[];
  /** … and the first event after it. */
  firstEvent: number[];
  /** PUT until a live WebSocket client has the first event after `run.deployed`. */
  socket: number[];
  /** PUT until its answer. */
  put: number[];
}

interface Arrival {
  at: number;
  events: readonly TelemetryEvent[];
}

/** When the first event after `run.deployed` of `version` arrived, and when that `run.deployed` did. */
const afterDeployed = (arrivals: readonly Arrival[], version: number): { deployed: number; next: number } | undefined => {
  let deployed: number | undefined;
  for (const { at, events } of arrivals) {
    for (const event of events) {
      if (deployed !== undefined) return { deployed, next: at };
      const e = event as TelemetryEvent & { file?: string; version?: number };
      if (e.type === 'run.deployed' && e.file === BREAKER_FILE && e.version === version) deployed = at;
    }
  }
  return undefined;
};

const measureSaves = async (bench: Bench): Promise<SaveTimes> => {
  const times: SaveTimes = { deployed: [], firstEvent: [], socket: [], put: [] };
  const reference = ok(
    await bench.api<{ content: string }>('GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/reference`),
    'GET reference',
  ).content;
  const runId = await startRun(bench);
  const inProcess: Arrival[] = [];
  const viaSocket: Arrival[] = [];
  const subscription = bench.workbench.runs.subscribe(runId, (events) => inProcess.push({ at: performance.now(), events }));
  const socket = new WebSocket(`ws://127.0.0.1:${bench.port}/api/live?run=${encodeURIComponent(runId)}`, {
    headers: { authorization: `Bearer ${TOKEN}`, origin: `http://127.0.0.1:${bench.port}` },
  });
  socket.on('error', () => undefined);
  socket.on('message', (data) => viaSocket.push({ at: performance.now(), events: (JSON.parse(String(data)) as TelemetryBatch).events }));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    // The pool (2) and the run's trial sandbox, which the run's start warms.
    await settle(POOL + 2, POOL + 1);
    // One save first, not counted: the trial sandbox's first import of the lab's modules.
    for (let i = -1; i < SAVES; i++) {
      inProcess.length = 0;
      viaSocket.length = 0;
      bench.takeSteps();
      const content = `${reference}\n// bench save ${i + 1}: ${new Date().toISOString()}\n`;
      const t0 = performance.now();
      const saved = ok(
        await bench.api<{ version: number; deployedTo: string[] }>('PUT', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, { content }),
        'PUT file',
      );
      const tPut = performance.now();
      if (!saved.deployedTo.includes(runId)) throw new Error(`save v${saved.version} was not deployed to ${runId}: ${JSON.stringify(saved)}`);
      const deadline = t0 + 10_000;
      let local: { deployed: number; next: number } | undefined;
      let remote: { deployed: number; next: number } | undefined;
      while (!(local = afterDeployed(inProcess, saved.version)) || !(remote = afterDeployed(viaSocket, saved.version))) {
        if (performance.now() > deadline) throw new Error(`v${saved.version}: no run.deployed and event after it within 10 s`);
        await sleep(2);
      }
      const steps = bench.takeSteps();
      if (i >= 0) {
        times.put.push(tPut - t0);
        times.deployed.push(local.deployed - t0);
        times.firstEvent.push(local.next - t0);
        times.socket.push(remote.next - t0);
        for (const [name, values] of Object.entries(steps)) ((times as unknown as Record<string, number[]>)[`step:${name}`] ??= []).push(...values);
      }
      // A learner does not save twice in a second; let the trial sandbox and the pool settle.
      await sleep(300);
      await settle(POOL + 2, POOL + 1);
    }
  } finally {
    subscription?.dispose();
    socket.terminate();
    await bench.api('DELETE', `/api/runs/${runId}`).catch(() => undefined);
  }
  return times;
};

// ---------------------------------------------------------------- checks' compile, alone

/** How long compiling each exercise's checks with its solution takes, as the runner does it (esbuild only). */
const checkCompileTimes = async (): Promise<number[]> => {
  const registry = await PatternRegistry.load(join(ROOT_DIR, 'patterns'));
  const times: number[] = [];
  for (const exercise of loadCatalog(join(ROOT_DIR, 'exercises')).exercises) {
    const pattern = registry.get(exercise.patternId);
    if (!pattern) continue;
    const started = performance.now();
    const compiled = await compileLab({
      patternDir: pattern.dir,
      entry: join(exercise.dir, 'checks.ts'),
      overrides: { [exercise.file]: exercise.solution },
      kitDir: join(registry.patternsDir, 'kit'),
      rootDir: ROOT_DIR,
      extraDirs: [exercise.dir],
    });
    times.push(performance.now() - started);
    if (compiled.ok) compiled.release();
  }
  return times;
};

// ---------------------------------------------------------------- the suite

const summary = (values: number[]) =>
  `median ${round(median(values))} ms, p95 ${round(percentile(values, 95))} ms, max ${round(Math.max(...values))} ms, n=${values.length}`;

const loadNote = (samples: number[]) => `load average ${round(Math.min(...samples), 1)}–${round(Math.max(...samples), 1)} on ${availableParallelism()} cores`;

const concat = <T extends object>(parts: T[]): T => {
  const out = {} as Record<string, unknown[]>;
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) (out[key] ??= []).push(...(value as unknown[]));
  }
  return out as T;
};

export async function benchSandbox(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const ms = (name: string, value: number, note: string): void => {
    results.push({ name, value: round(value), unit: 'ms', note });
    console.log(`  ${name}: ${round(value)} ms  (${note})`);
  };
  const loads: number[] = [];
  const sampleLoad = () => loads.push(loadavg()[0]!);

  // With the pool and without it, in alternating rounds: a shared machine that gets busier
  // halfway through then moves both sides alike.
  const perRound = Math.max(1, Math.round(STARTS / ROUNDS));
  const warmStarts: StartTimes[] = [];
  const coldStarts: StartTimes[] = [];
  const idleChecks: CheckTimes[] = [];
  const coldChecks: CheckTimes[] = [];
  let exercises: Exercise[] = [];
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    for (const pool of [POOL, 0]) {
      sampleLoad();
      const bench = await startBench(pool === POOL ? undefined : 0);
      try {
        const label = pool ? `pool of ${POOL}` : 'no pool';
        console.log(`  round ${round_ + 1}/${ROUNDS}, ${label}: ${perRound} run starts, then the checks…`);
        (pool ? warmStarts : coldStarts).push(await measureStarts(bench, pool, `POST → run.started, ${label}`, round_ === 0));
        if (exercises.length === 0) exercises = await loadExercises(bench);
        // Checks a few seconds apart, as a learner reading the results makes them: the pool is full again.
        const checks = await measureChecks(bench, exercises, Math.max(1, Math.round(CHECK_REPS / ROUNDS)), () => settle(pool));
        (pool ? idleChecks : coldChecks).push(checks);
        console.log(`  checks, ${label}: ${summary(checks.wall)}`);
      } finally {
        await bench.close();
      }
      sampleLoad();
    }
  }

  // Under load, back to back, and saves: with the pool (the default) only.
  let backToBack: CheckTimes;
  let loaded: CheckTimes;
  let loadRate = Number.NaN;
  let saves: SaveTimes;
  const bench = await startBench();
  try {
    await settle(POOL);
    console.log('  checks back to back (no wait for the pool to refill), one round…');
    backToBack = await measureChecks(bench, exercises, 1, async () => undefined);

    console.log(`  checks under load: a circuit-breaker run at ${LOAD_RATE} req/s…`);
    const runId = await startRun(bench);
    const rates: number[] = [];
    const subscription = bench.workbench.runs.subscribe(runId, (events) => {
      for (const e of events) {
        const p = e as TelemetryEvent & { sentRate?: number };
        if (e.type === 'load.progress' && p.sentRate !== undefined) rates.push(p.sentRate);
      }
    });
    try {
      ok(await bench.api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: LOAD_RATE }), 'PUT load');
      await sleep(2000);
      rates.length = 0;
      sampleLoad();
      // The pool and the run's trial sandbox idle; the run itself busy.
      loaded = await measureChecks(bench, exercises, CHECK_REPS, () => settle(POOL + 2, POOL + 1));
      sampleLoad();
      loadRate = median(rates);
      if (!bench.workbench.runs.get(runId)?.isLive) throw new Error(`the loaded run ${runId} ended during the checks`);
    } finally {
      subscription?.dispose();
      await bench.api('DELETE', `/api/runs/${runId}`).catch(() => undefined);
    }

    console.log(`  saves into a live run (default load), ${SAVES} saves…`);
    sampleLoad();
    saves = await measureSaves(bench);
    sampleLoad();
  } finally {
    await bench.close();
  }
  const compileTimes = await checkCompileTimes();

  // ---- figures
  const warm = concat(warmStarts);
  const cold = concat(coldStarts);
  const idle = concat(idleChecks);
  const coldCheck = concat(coldChecks);
  const ratioNote = (a: number[], b: number[]) => `median with pool / without: ${round(median(a) / median(b), 2)}`;
  const machine = loadNote(loads);
  ms('run start: POST → run.started readable, pool (median)', median(warm.total), `goal ≤ 300 ms; ${summary(warm.total)}; ${machine}`);
  ms('run start: p95, pool', percentile(warm.total, 95), `max ${round(Math.max(...warm.total))} ms`);
  ms('run start: reference, no pool (median)', median(cold.total), `${summary(cold.total)}`);
  results.push({ name: 'run start: pool / no pool', value: round(median(warm.total) / median(cold.total), 3), unit: 'ratio', note: `${ROUNDS} alternating rounds; ${ratioNote(warm.total, cold.total)}` });
  ms('run start breakdown: POST answered (pool)', median(warm.post), `of which compile ${round(median(warm.compile))} ms median; no pool: POST ${round(median(cold.post))} ms, compile ${round(median(cold.compile))} ms`);

  const oddNote = (t: CheckTimes) => (t.odd.length ? `; odd answers (${t.odd.length}): ${t.odd.slice(0, 4).join(' | ')}` : '');
  ms('checks idle (median)', median(idle.wall), `goal ≤ 200 ms; ${summary(idle.wall)}; runner's own durationMs median ${round(median(idle.runner))}${oddNote(idle)}`);
  ms('checks idle (max)', Math.max(...idle.wall), 'goal ≤ 1 s (before: 467 ms median, 1.1 s max)');
  ms('checks under load (median)', median(loaded.wall), `goal ≤ 200 ms; a run at ${LOAD_RATE} req/s (sent ${round(loadRate)} req/s median); ${summary(loaded.wall)}${oddNote(loaded)}`);
  ms('checks under load (max)', Math.max(...loaded.wall), 'goal ≤ 1 s (before: up to 1.6 s under load)');
  ms('checks back to back, pool not refilled (median)', median(backToBack.wall), `${summary(backToBack.wall)}${oddNote(backToBack)}`);
  ms('checks reference, no pool (median)', median(coldCheck.wall), `${summary(coldCheck.wall)}; ${ratioNote(idle.wall, coldCheck.wall)}${oddNote(coldCheck)}`);
  ms('checks breakdown: compiling the checks alone (median)', median(compileTimes), `esbuild, as the runner does it, each exercise once; ${summary(compileTimes)}`);

  const steps = saves as unknown as Record<string, number[]>;
  const stepNote = ['compile', 'trial', 'deploy'].map((s) => `${s} ${round(median(steps[`step:${s}`] ?? [Number.NaN]))} ms`).join(', ');
  ms('save → first event of the new code, server (median)', median(saves.firstEvent), `goal ≤ 150 ms; ${summary(saves.firstEvent)}; run.deployed at median ${round(median(saves.deployed))} ms`);
  ms('save → first event: p95, server', percentile(saves.firstEvent, 95), 'in-process subscription (workbench.runs.subscribe)');
  ms('save → first event, live WebSocket client (median)', median(saves.socket), `what the page gets (hub batches every 100 ms); ${summary(saves.socket)}`);
  ms('save breakdown: PUT answered (median)', median(saves.put), `steps (median): ${stepNote}; ${summary(saves.put)}`);
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchSandbox()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
