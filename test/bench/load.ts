/**
 * Top throughput of the load generator (closed model, its own HTTP target)
 * beside autocannon, against the same loopback endpoint, with the same
 * connections and duration, in one process run.
 *
 * The endpoint runs in a child process so it has a core of its own: the
 * figures then measure the clients, not a server sharing their event loop,
 * and this process's CPU time is the clients' alone. autocannon writes raw
 * HTTP on its sockets and parses answers with http-parser-js; the generator
 * goes through `createHttpTarget` (server/load/http-target.ts), a small
 * keep-alive HTTP/1.1 client on `net` sockets built the same way, with its
 * scheduling, counters and latency histogram on top. Two more subjects tell
 * the costs apart: a bare async loop over the same target (the client alone,
 * no generator), and the generator over node:http's keep-alive agent (about
 * half of autocannon's throughput). Before its own client the target was an
 * undici pool: about 0.8× autocannon, 32 µs of client CPU per request against
 * autocannon's 27 µs. Besides throughput, each subject's CPU time per request
 * is reported: on a busy machine it moves far less than throughput does.
 *
 * Each subject runs ROUNDS times (5 × 2 s by default), interleaved, and the
 * median is reported: other work on a shared machine moves single runs a lot.
 * The ratios are taken within each round, between runs seconds apart, and
 * their median reported, so a machine that gets busier halfway through moves
 * both sides of a ratio alike.
 *
 *   npm run bench -- load
 *   BENCH_LOAD_CONNECTIONS=64 BENCH_LOAD_DURATION_MS=3000 BENCH_LOAD_ROUNDS=7 node --import tsx test/bench/load.ts
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { RealClock } from '../../patterns/kit/clock.ts';
import type { ClosedLoad } from '../../patterns/kit/load.ts';
import { LoadGenerator } from '../../server/load/generator.ts';
import { connectionsFor, createHttpTarget } from '../../server/load/http-target.ts';
import type { LoadProgress, LoadTarget } from '../../server/load/types.ts';
import type { BenchResult } from './result.ts';

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
// Five short rounds rather than three long ones: the medians then shrug off two bad rounds.
const DURATION_MS = Number(process.env.BENCH_LOAD_DURATION_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 5);
const WARMUP_MS = 500;

/**
 * A node:http server answering 200 'ok', in a child process: it has a core of
 * its own, and this process's CPU time is then the clients' alone.
 */
const startEndpoint = async (): Promise<{ port: number; stop: () => Promise<void> }> => {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `
      const http = require('node:http');
      const server = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      });
      server.keepAliveTimeout = 60000;
      server.listen(0, '127.0.0.1', () => process.send(server.address().port));
      process.on('disconnect', () => process.exit(0)); // the bench died: do not linger
      `,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(message as number));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the endpoint exited with code ${code}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
};

/** One GET through node:http's keep-alive agent, for comparison: the generator's first client. */
const nodeHttpTarget = (port: number, agent: http.Agent): LoadTarget => () =>
  new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent }, (response) => {
      response.resume();
      response.once('end', () => resolve({ ok: response.statusCode === 200 }));
      response.once('error', () => resolve({ ok: false }));
    });
    request.once('error', () => resolve({ ok: false }));
    request.end();
  });

interface Measured {
  rps: number;
  /** Requests answered in the run. */
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A run's figures, with this process's CPU time per answered request (the client's cost, in µs). */
interface Run extends Measured {
  cpuUs: number;
}

const profile = (durationMs: number): ClosedLoad => ({ model: 'closed', concurrency: CONNECTIONS, durationMs });

/** Runs the generator's closed model over `target` for `durationMs`. */
const driveGenerator = async (target: LoadTarget, durationMs: number): Promise<Measured> => {
  const generator = new LoadGenerator({ clock: new RealClock(), target });
  try {
    const finished = new Promise<LoadProgress>((resolve) => generator.onProgress((p) => p.done && resolve(p)));
    generator.setProfile(profile(durationMs));
    const progress = await finished;
    const { p50, p99 } = generator.histogram.summary();
    const { completed, elapsedMs } = progress;
    return { rps: completed / (elapsedMs / 1000), requests: completed, p50, p99, errors: generator.stats.errors };
  } finally {
    generator.dispose();
    await generator.drained();
  }
};

const runGenerator = async (port: number, durationMs: number): Promise<Measured> => {
  const client = createHttpTarget({ url: `http://127.0.0.1:${port}/`, connections: connectionsFor(profile(durationMs)) });
  try {
    return await driveGenerator(client.target, durationMs);
  } finally {
    await client.close();
  }
};

const runNodeHttpGenerator = async (port: number, durationMs: number): Promise<Measured> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    return await driveGenerator(nodeHttpTarget(port, agent), durationMs);
  } finally {
    agent.destroy();
  }
};

/** The same target from a plain async loop per connection: what the client costs without the generator. */
const runBareLoop = async (port: number, durationMs: number): Promise<Measured> => {
  const client = createHttpTarget({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS });
  const request = { id: 'bare', clientKey: 'client-0', index: 0, intendedAt: 0 };
  const start = performance.now();
  const end = start + durationMs;
  let completed = 0;
  let errors = 0;
  const connection = async (): Promise<void> => {
    while (performance.now() < end) {
      if ((await client.target(request)).outcome !== 'ok') errors += 1;
      completed += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
    const rps = completed / ((performance.now() - start) / 1000);
    return { rps, requests: completed, p50: Number.NaN, p99: Number.NaN, errors };
  } finally {
    await client.close();
  }
};

const runAutocannon = async (port: number, durationMs: number): Promise<Measured> => {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: durationMs / 1000 });
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
};

const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

const subjects = {
  generator: runGenerator,
  autocannon: runAutocannon,
  bare: runBareLoop,
  'node:http': runNodeHttpGenerator,
} satisfies Record<string, (port: number, durationMs: number) => Promise<Measured>>;
type Subject = keyof typeof subjects;

/** The middle value, so one noisy round (a shared machine) does not decide. */
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** The run with the median throughput. */
const medianRun = (runs: Run[]): Run => [...runs].sort((a, b) => a.rps - b.rps)[runs.length >> 1]!;

/**
 * Runs one subject, timing this process's CPU. Throughput on a shared machine
 * depends on how much of a core the client got; CPU per request does not, so
 * it tells what a client costs even when other work moves the throughput.
 */
const measure = async (subject: Subject, port: number, durationMs: number): Promise<Run> => {
  const cpu = process.cpuUsage();
  const measured = await subjects[subject](port, durationMs);
  const used = process.cpuUsage(cpu);
  return { ...measured, cpuUs: (used.user + used.system) / Math.max(1, measured.requests) };
};

export async function benchLoad(): Promise<BenchResult[]> {
  const endpoint = await startEndpoint();
  const order = Object.keys(subjects) as Subject[];
  const runs = new Map<Subject, Run[]>(order.map((s) => [s, []]));
  try {
    // Warm every path (JIT, sockets, the server's own warm-up) before measuring.
    for (const subject of order) await measure(subject, endpoint.port, WARMUP_MS);
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round so no subject always runs first.
      for (let i = 0; i < order.length; i++) {
        const subject = order[(i + r) % order.length]!;
        runs.get(subject)!.push(await measure(subject, endpoint.port, DURATION_MS));
      }
    }
  } finally {
    await endpoint.stop();
  }
  const of = (subject: Subject) => runs.get(subject)!;
  /** `figure(a) / figure(b)` within each round, and their median. */
  const ratio = (a: Subject, b: Subject, figure: (run: Run) => number = (run) => run.rps) => {
    const perRound = of(a).map((run, r) => figure(run) / figure(of(b)[r]!));
    return { value: round(median(perRound), 3), note: `per round ${perRound.map((x) => round(x, 2)).join(' / ')}` };
  };
  const setup = `${CONNECTIONS} connections, ${DURATION_MS / 1000} s, median of ${ROUNDS}`;
  const throughput = (subject: Subject, name: string, about?: string): BenchResult => {
    const m = medianRun(of(subject));
    const latency = Number.isNaN(m.p50) ? '' : `p50 ${round(m.p50, 2)} ms, p99 ${round(m.p99, 2)} ms, `;
    const runsNote = `runs ${of(subject).map((run) => round(run.rps)).join(' / ')} req/s`;
    return { name, value: round(m.rps), unit: 'req/s', note: `${setup}; ${latency}${m.errors} errors; ${about ? `${about}; ` : ''}${runsNote}` };
  };
  const cpu = (subject: Subject, name: string): BenchResult => ({
    name,
    value: round(median(of(subject).map((run) => run.cpuUs)), 1),
    unit: 'µs CPU/req',
    note: `runs ${of(subject).map((run) => round(run.cpuUs, 1)).join(' / ')}`,
  });
  return [
    throughput('generator', 'load generator, closed model (its keep-alive HTTP target)'),
    throughput('autocannon', 'autocannon'),
    throughput('bare', 'bare loop over the same HTTP target (no generator)', 'the client alone'),
    throughput('node:http', 'load generator over a node:http keep-alive agent'),
    { name: 'load generator / autocannon', unit: 'ratio', ...ratio('generator', 'autocannon') },
    { name: 'load generator over node:http / autocannon', unit: 'ratio', ...ratio('node:http', 'autocannon') },
    { name: 'load generator / bare target loop', unit: 'ratio', ...ratio('generator', 'bare') },
    cpu('generator', 'client CPU per request: load generator'),
    cpu('autocannon', 'client CPU per request: autocannon'),
    cpu('bare', 'client CPU per request: bare target loop'),
    cpu('node:http', 'client CPU per request: load generator over node:http'),
    // Above 1: the generator needs less CPU per request than autocannon, so
    // given the same core it would send more; the throughput ratio tells
    // whether it got that core.
    { name: 'CPU per request: autocannon / load generator', unit: 'ratio', ...ratio('autocannon', 'generator', (run) => run.cpuUs) },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchLoad()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
