/**
 * A soak: the workbench as `npm start` runs it, a circuit-breaker run at
 * 1,000 requests/s with half of the payments calls failing, for 10 minutes
 * (`WORKBENCH_SOAK_MINUTES` to change it). Resident memory is sampled from
 * outside (/proc): the server's process, and the processes under it (the
 * run's sandbox, its database process, the warm sandboxes of the pool); after
 * a warm-up of a fifth of the run, the growth of each, and of all together, to
 * the end should stay within 10%. A live WebSocket client follows the run, as an open Lab tab does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ensureWebBuild } from '../../server/http/web-build.ts';
import type { BenchResult } from './result.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'soak-bench-token-0123456789';
const RATE = 1000;
const SAMPLE_MS = 5000;

const rssMb = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return 0; // it ended between listing and reading
  }
};

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** Resident memory of every process under `pid`, not counting `pid` itself. */
const descendantsRssMb = (pid: number): number => childrenOf(pid).reduce((sum, child) => sum + rssMb(child) + descendantsRssMb(child), 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const benchSoak = async (): Promise<BenchResult[]> => {
  const minutes = Number(process.env.WORKBENCH_SOAK_MINUTES ?? 10);
  const totalMs = minutes * 60_000;
  // Built here, before the server starts: a build inside it would count as its memory.
  await ensureWebBuild(ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-soak-'));
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--token', TOKEN, '--no-open', '--db', join(dir, 'workbench.db')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let socket: WebSocket | undefined;
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Workbench ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server.once('exit', (code) => reject(new Error(`the workbench exited (${code}) before it was ready`)));
    });
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, origin: base, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const { runId } = (await api('POST', '/api/runs', { patternId: 'circuit-breaker' })) as { runId: string };
    await api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 0.5, error: { kind: 'status', status: 503 } });
    await api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: RATE });
    socket = new WebSocket(`${base.replace('http', 'ws')}/api/live?run=${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${TOKEN}`, origin: base } });
    let streamed = 0;
    let sent = 0;
    let ended: string | undefined;
    socket.on('message', (data) => {
      const { events } = JSON.parse(String(data)) as { events: Array<{ type: string; sent?: number }> };
      streamed += events.length;
      for (const event of events) {
        if (event.type === 'load.progress' && event.sent !== undefined) sent = event.sent;
        // A run that ends early would measure an idle server: say so instead.
        if (event.type === 'run.error' || event.type === 'run.stopped') ended ??= JSON.stringify(event);
      }
    });

    const samples: Array<{ t: number; server: number; sandboxes: number; mb: number }> = [];
    const started = performance.now();
    while (performance.now() - started < totalMs) {
      await sleep(SAMPLE_MS);
      if (ended) throw new Error(`the run ended during the soak: ${ended}`);
      const t = performance.now() - started;
      const serverMb = rssMb(server.pid!);
      const sandboxesMb = descendantsRssMb(server.pid!);
      samples.push({ t, server: serverMb, sandboxes: sandboxesMb, mb: serverMb + sandboxesMb });
      if (samples.length % 12 === 0) {
        console.log(`  ${(t / 60_000).toFixed(1)} min: ${serverMb.toFixed(0)} MB server + ${sandboxesMb.toFixed(0)} MB sandboxes resident, ${streamed.toLocaleString()} events streamed`);
      }
    }
    await api('DELETE', `/api/runs/${runId}`);

    // Baseline: the minute after the warm-up; end: the last minute.
    const warmUp = totalMs / 5;
    const window = Math.min(60_000, totalMs / 5);
    type Part = 'server' | 'sandboxes' | 'mb';
    const baseline = (part: Part) => median(samples.filter((s) => s.t > warmUp && s.t <= warmUp + window).map((s) => s[part]));
    const end = (part: Part) => median(samples.filter((s) => s.t > totalMs - window).map((s) => s[part]));
    const parts: Array<[Part, string]> = [
      ['mb', 'the workbench (server and the processes under it)'],
      ['server', 'the server process'],
      ['sandboxes', "the sandboxes (the run's, its database process, the pool's)"],
    ];
    const round = (mb: number) => Math.round(mb * 10) / 10;
    return [
      ...parts.flatMap(([part, what]): BenchResult[] => {
        const growth = end(part) / baseline(part) - 1;
        return [
          { name: `${what}: resident after warm-up (${(warmUp / 60_000).toFixed(1)} min) → at the end (${minutes} min)`, value: round(end(part)), unit: 'MB', note: `from ${round(baseline(part))} MB` },
          { name: `${what}: growth after warm-up`, value: round(growth * 100), unit: '%', note: growth <= 0.1 ? 'within the 10% goal' : 'ABOVE the 10% goal' },
        ];
      }),
      { name: 'requests sent per second', value: sent / (totalMs / 1000), unit: 'req/s', note: `target ${RATE}` },
      { name: 'events streamed to the live client', value: streamed, unit: 'events' },
    ];
  } finally {
    socket?.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
};
