/**
 * Top throughput of the load generator (closed model, node:http keep-alive
 * agent) beside autocannon, against the same loopback endpoint, with the same
 * connections and duration, in one process run.
 *
 * The endpoint runs in a worker thread so it has a core of its own: the
 * figures then measure the clients, not a server sharing their event loop.
 * autocannon writes raw HTTP on its sockets and parses answers with its own
 * parser; the generator goes through node:http's client, as a lab's HTTP
 * entry would, so expect it below autocannon: the ratio says by how much. A
 * bare async loop over the same node:http target separates the two costs.
 *
 * Each subject runs ROUNDS times (3 s each by default), interleaved, and the
 * median is reported: other work on a shared machine moves single runs a lot.
 *
 *   node --import tsx test/bench/load.ts
 *   BENCH_LOAD_CONNECTIONS=64 BENCH_LOAD_DURATION_MS=3000 BENCH_LOAD_ROUNDS=3 node --import tsx test/bench/load.ts
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { RealClock } from '../../patterns/kit/clock.ts';
import { LoadGenerator } from '../../server/load/generator.ts';
import type { LoadProgress, LoadTarget } from '../../server/load/types.ts';
import type { BenchResult } from './result.ts';

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
const DURATION_MS = Number(process.env.BENCH_LOAD_DURATION_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 3);
const WARMUP_MS = 500;

/** A node:http server answering 200 'ok', in its own thread; resolves with its port. */
const startEndpoint = async (): Promise<{ port: number; stop: () => Promise<void> }> => {
  const worker = new Worker(
    `
    const http = require('node:http');
    const { parentPort } = require('node:worker_threads');
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    `,
    { eval: true },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { port, stop: async () => void (await worker.terminate()) };
};

/** One GET through a keep-alive agent: the kind of target a lab's HTTP entry is. */
const httpTarget = (port: number, agent: http.Agent): LoadTarget => () =>
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
  p50: number;
  p99: number;
  errors: number;
}

const runGenerator = async (port: number, durationMs: number): Promise<Measured> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const generator = new LoadGenerator({ clock: new RealClock(), target: httpTarget(port, agent) });
  try {
    const finished = new Promise<LoadProgress>((resolve) => generator.onProgress((p) => p.done && resolve(p)));
    generator.setProfile({ model: 'closed', concurrency: CONNECTIONS, durationMs });
    const progress = await finished;
    const { p50, p99 } = generator.histogram.summary();
    return { rps: progress.completed / (progress.elapsedMs / 1000), p50, p99, errors: generator.stats.errors };
  } finally {
    generator.dispose();
    agent.destroy();
  }
};

/** The same requests from a plain async loop per connection: what node:http costs without the generator. */
const runBareLoop = async (port: number, durationMs: number): Promise<number> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = httpTarget(port, agent);
  const start = performance.now();
  const end = start + durationMs;
  let completed = 0;
  const connection = async (): Promise<void> => {
    while (performance.now() < end) {
      await target({ id: '', clientKey: '', index: 0, intendedAt: 0 });
      completed += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
    return completed / ((performance.now() - start) / 1000);
  } finally {
    agent.destroy();
  }
};

const runAutocannon = async (port: number, durationMs: number): Promise<Measured> => {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: durationMs / 1000 });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
};

const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

type Subject = 'generator' | 'autocannon' | 'bare';

const measure = async (subject: Subject, port: number, durationMs: number): Promise<Measured> => {
  if (subject === 'generator') return runGenerator(port, durationMs);
  if (subject === 'autocannon') return runAutocannon(port, durationMs);
  return { rps: await runBareLoop(port, durationMs), p50: Number.NaN, p99: Number.NaN, errors: 0 };
};

/** The run with the median throughput, so one noisy round (a shared machine) does not decide. */
const median = (runs: Measured[]): Measured => [...runs].sort((a, b) => a.rps - b.rps)[runs.length >> 1]!;

export async function benchLoad(): Promise<BenchResult[]> {
  const endpoint = await startEndpoint();
  const subjects: Subject[] = ['generator', 'autocannon', 'bare'];
  const runs = new Map<Subject, Measured[]>(subjects.map((s) => [s, []]));
  try {
    // Warm every path (JIT, sockets, the server's own warm-up) before measuring.
    for (const subject of subjects) await measure(subject, endpoint.port, WARMUP_MS);
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round so no subject always runs first.
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(i + r) % subjects.length]!;
        runs.get(subject)!.push(await measure(subject, endpoint.port, DURATION_MS));
      }
    }
  } finally {
    await endpoint.stop();
  }
  const ours = median(runs.get('generator')!);
  const theirs = median(runs.get('autocannon')!);
  const bare = median(runs.get('bare')!);
  const spread = (subject: Subject) => `runs ${runs.get(subject)!.map((m) => round(m.rps)).join(' / ')} req/s`;
  const setup = `${CONNECTIONS} connections, ${DURATION_MS / 1000} s, median of ${ROUNDS}`;
  return [
    {
      name: 'load generator, closed model (node:http keep-alive agent)',
      value: round(ours.rps),
      unit: 'req/s',
      note: `${setup}; p50 ${round(ours.p50, 2)} ms, p99 ${round(ours.p99, 2)} ms, ${ours.errors} errors; ${spread('generator')}`,
    },
    {
      name: 'autocannon',
      value: round(theirs.rps),
      unit: 'req/s',
      note: `${setup}; p50 ${theirs.p50} ms, p99 ${theirs.p99} ms, ${theirs.errors} errors; ${spread('autocannon')}`,
    },
    {
      name: 'bare node:http loop (no generator)',
      value: round(bare.rps),
      unit: 'req/s',
      note: `${setup}; the client cost the generator builds on; ${spread('bare')}`,
    },
    { name: 'load generator / autocannon', value: round(ours.rps / theirs.rps, 3), unit: 'ratio' },
    { name: 'load generator / bare node:http loop', value: round(ours.rps / bare.rps, 3), unit: 'ratio' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchLoad()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
