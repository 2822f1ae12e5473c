/**
 * The Lab tab drawing a run at 1,000 req/s, in Chromium: how long after an
 * event is emitted it is on screen, and how long frames take meanwhile.
 * Goals: an event drawn within 250 ms p95 of being emitted; frame time within
 * 50 ms p95.
 *
 * The workbench as `npm start` runs it (its own port, token and database), a
 * circuit-breaker run with half of the payments calls failing, driven at
 * 1,000 req/s, and headless Chromium (playwright-core) on its Lab tab. After a
 * warm-up, MEASURE_MS of:
 *
 *  - draw latency, per event: from its emission (wall clock) to the end of the
 *    frame that first drew it. The page reports when each live batch was drawn
 *    (web/src/api/drawProbe.ts, on only when the bench sets its localStorage
 *    flag): the batch's events' run times `t`, and the wall time after the
 *    frame that followed React's commit. An event's `t` is on the run's clock
 *    (ms since the run started, inside its sandbox), so the bench finds where
 *    that clock's zero falls on the wall clock by timing API calls whose events
 *    it can read back: a fault change is emitted after the bench sent it (a
 *    lower bound), a params change before its answer came back (an upper
 *    bound). The lower bound is used, so the figure errs long, by at most the
 *    bracket's width (printed; a few ms). Everything between the lab's code and
 *    the screen is inside the figure: the sandbox's and the live hub's batching,
 *    the socket, the page's merge, React and the paint.
 *  - frame time: the gaps between successive requestAnimationFrame callbacks
 *    (a frame that the page's work delays shows as a long gap), with Chromium's
 *    `longtask` and `long-animation-frame` entries beside them.
 *
 * The page and the server share the machine (and its two cores, here): the
 * figures are for the whole workbench on one computer, as a learner runs it.
 *
 *   npm run bench -- browser
 *   BENCH_BROWSER_MS=20000 BENCH_BROWSER_WARMUP_MS=5000 BENCH_BROWSER_RATE=1000 node --import tsx test/bench/browser.ts
 *   BENCH_BROWSER_PROFILE=/tmp/lab.cpuprofile …   also records a CPU profile of the page over the measurement and prints its hottest functions
 *   BENCH_BROWSER_SCREENSHOT=/tmp/x.png …         where the screenshot of the lab goes (default: the temp folder's bench-lab.png)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuild } from '../../server/http/web-build.ts';
import type { BenchResult } from './result.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'browser-bench-token-0123456789';
const RATE = Number(process.env.BENCH_BROWSER_RATE ?? 1000);
const WARMUP_MS = Number(process.env.BENCH_BROWSER_WARMUP_MS ?? 5000);
const MEASURE_MS = Number(process.env.BENCH_BROWSER_MS ?? 20_000);
const PROFILE = process.env.BENCH_BROWSER_PROFILE;
const SCREENSHOT = process.env.BENCH_BROWSER_SCREENSHOT ?? join(tmpdir(), 'bench-lab.png');
const PATTERN = 'circuit-breaker';
const FAULT = { errorRate: 0.5, error: { kind: 'status', status: 503 } };
const GOAL_DRAW_MS = 250;
const GOAL_FRAME_MS = 50;
// Kept in step with web/src/api/drawProbe.ts (not imported: it is the page's code, on the DOM).
const PROBE_FLAG = 'workbench.drawProbe';
const DRAWN_MARK = 'workbench.live.drawn';
/** A `workbench.live.drawn` mark's detail (drawProbe.ts's DrawnDetail). */
interface DrawnDetail {
  drawnAt: number;
  batches: Array<{ receivedAt: number; ts: number[]; dropped: number }>;
}

/** CPU time (ms) of a process, its threads included, from /proc; NaN where there is none. */
const cpuMs = (pid: number | undefined): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
};

/**
 * CPU time of a process and of every process under it (the server's sandboxes and their
 * database processes), as long as they live: a sandbox that ended mid-measure drops out.
 */
const treeCpuMs = (pid: number | undefined): number => {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no such process, or no children file: its own time alone
  }
  return children.reduce((sum, child) => sum + treeCpuMs(child), cpuMs(pid));
};

/** The machine's busy and total CPU time (ms, all cores), from /proc/stat. */
const machineMs = (): { busy: number; total: number } => {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = ticks[3]! + (ticks[4] ?? 0);
    return { busy: (total - idle) * 10, total: total * 10 };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

interface Spread {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

const spread = (values: number[]): Spread => {
  const sorted = Float64Array.from(values).sort();
  return { p50: quantile([...sorted], 0.5), p95: quantile([...sorted], 0.95), max: sorted.at(-1) ?? Number.NaN, n: sorted.length };
};

const describe = (s: Spread): string => `p50 ${round(s.p50)} ms, p95 ${round(s.p95)} ms, max ${round(s.max)} ms, over ${s.n.toLocaleString('en')}`;

/** What the page collects, from before its scripts run: the frame gaps, long tasks and long animation frames. */
const PAGE_MONITOR = `(() => {
  try { localStorage.setItem(${JSON.stringify(PROBE_FLAG)}, '1'); } catch {}
  const monitor = { gaps: [], longTasks: [], loafs: [], last: undefined };
  window.__benchFrames = monitor;
  const loop = (now) => {
    if (monitor.last !== undefined) monitor.gaps.push(now - monitor.last);
    monitor.last = now;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  const observe = (type, into) => {
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) into.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration ?? 0 });
      }).observe({ type, buffered: true });
    } catch {}
  };
  observe('longtask', monitor.longTasks);
  observe('long-animation-frame', monitor.loafs);
  // Profiling only: React's commits, counted through the hook React DevTools would use.
  monitor.commits = 0;
  if (${JSON.stringify(Boolean(PROFILE))}) {
    window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      inject: () => 1,
      onCommitFiberRoot: () => { monitor.commits++; },
      onCommitFiberUnmount: () => {},
      onPostCommitFiberRoot: () => {},
      checkDCE: () => {},
    };
  }
})();`;

interface FrameReadings {
  commits: number;
  gaps: number[];
  longTasks: Array<{ start: number; duration: number }>;
  loafs: Array<{ start: number; duration: number; blocking: number }>;
}

/** Takes what the page collected since the last call, and starts afresh. */
const drain = (page: Page): Promise<{ drawn: DrawnDetail[]; frames: FrameReadings }> =>
  page.evaluate((mark) => {
    const drawn = performance.getEntriesByName(mark).map((entry) => (entry as PerformanceMark).detail as DrawnDetail);
    performance.clearMarks(mark);
    const monitor = (window as unknown as { __benchFrames: FrameReadings & { last?: number } }).__benchFrames;
    const frames = { commits: monitor.commits, gaps: monitor.gaps, longTasks: monitor.longTasks, loafs: monitor.loafs };
    monitor.commits = 0;
    monitor.gaps = [];
    monitor.longTasks = [];
    monitor.loafs = [];
    return { drawn, frames };
  }, DRAWN_MARK);

const startServer = async (dbPath: string): Promise<{ child: ChildProcess; base: string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--token', TOKEN, '--no-open', '--db', dbPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Workbench ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the workbench exited (${code}) before it was ready`)));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Its log is not the bench's output (BENCH_BROWSER_LOG=1 shows it); keep the pipe flowing.
  if (process.env.BENCH_BROWSER_LOG === '1') child.stdout!.pipe(process.stderr);
  else child.stdout!.resume();
  return { child, base };
};

const stopServer = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
};

/** Where the run's clock starts on the wall clock (epoch ms): no earlier than `low`, no later than `high`. */
interface Origin {
  low: number;
  high: number;
}

type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Where the run's clock (events' `t`) starts on the wall clock, bracketed: a fault change is
 * emitted after its request left (lower bound), a params change before its answer arrived
 * (upper bound, the params answer waits for the lab to take them). Before the load starts, so
 * the worker answers at once; the same fault as the run is measured with, so nothing changes
 * once it runs.
 */
const bracketOrigin = async (api: Api, runId: string): Promise<Origin> => {
  const faultSent: number[] = [];
  for (let i = 0; i < 5; i++) {
    faultSent.push(Date.now());
    await api('PUT', `/api/runs/${runId}/faults/payments`, FAULT);
    await sleep(20);
  }
  const { params } = await api<{ params: Record<string, unknown> }>('GET', `/api/runs/${runId}`);
  await api('PUT', `/api/runs/${runId}/params`, params);
  const paramsAnswered = Date.now();
  // The worker sends its telemetry every 100 ms and the host records it: wait for them.
  for (let attempt = 0; ; attempt++) {
    const page = await api<{ events: Array<{ type: string; t: number }> }>(
      'GET',
      `/api/runs/${runId}/events?types=fault.changed,params.changed&limit=100`,
    );
    // The newest ones are the bench's: the run's start reports its faults too.
    const faults = page.events.filter((e) => e.type === 'fault.changed').slice(-faultSent.length);
    const changed = page.events.filter((e) => e.type === 'params.changed').at(-1);
    if (faults.length === faultSent.length && changed) {
      const low = Math.max(...faultSent.map((sent, i) => sent - faults[i]!.t));
      const high = paramsAnswered - changed.t;
      if (low > high + 1) throw new Error(`the run's clock does not match the wall clock: its start is bracketed in [${low}, ${high}]`);
      return { low, high };
    }
    if (attempt > 50) throw new Error(`the fault and params changes were not recorded: ${JSON.stringify(page.events)}`);
    await sleep(100);
  }
};

/** Top functions of a CPU profile by self time. */
const hottest = (profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] }, top = 15) => {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
};

export async function benchBrowser(): Promise<BenchResult[]> {
  // Loaded here, not at the top: it looks for Chromium (and says so loudly when there is none) as it loads.
  const { chromiumPath, launchBrowser } = await import('../e2e/browser.ts');
  if (!chromiumPath) return [{ name: 'skipped: no Chromium found (install Debian\'s chromium or set CHROMIUM_PATH)', value: 0, unit: '' }];
  // Built before the server starts, as `npm start` would; a no-op when the build is current.
  await ensureWebBuild(ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-browser-'));
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let stopRun: (() => Promise<unknown>) | undefined;
  try {
    const started = await startServer(join(dir, 'workbench.db'));
    server = started.child;
    const { base } = started;
    const api: Api = async (method, path, body) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, origin: base, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as never;
    };

    const { runId } = await api<{ runId: string }>('POST', '/api/runs', { patternId: PATTERN });
    stopRun = () => api('DELETE', `/api/runs/${runId}`);
    const origin = await bracketOrigin(api, runId);

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(PAGE_MONITOR);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // The printed URL sets the token cookie; then the lab, on this run.
    await page.goto(`${base}/?token=${TOKEN}`);
    await page.goto(`${base}/patterns/${PATTERN}/lab?run=${encodeURIComponent(runId)}`);
    await page.getByText('Request log').first().waitFor({ timeout: 30_000 });

    await api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: RATE });
    await sleep(WARMUP_MS);
    await drain(page);
    const progress = async () => {
      const { events } = await api<{ events: Array<{ sent: number; elapsedMs: number }> }>(
        'GET',
        `/api/runs/${runId}/events?types=load.progress&order=desc&limit=1`,
      );
      if (events[0]?.sent === undefined) throw new Error(`the run is not sending load: ${JSON.stringify(await api('GET', `/api/runs/${runId}`))}`);
      return events[0];
    };
    const before = await progress();
    const cdp = PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const serverCpu = treeCpuMs(server.pid);
    const machine = machineMs();
    await sleep(MEASURE_MS);
    const serverShare = (treeCpuMs(server.pid) - serverCpu) / MEASURE_MS;
    const machineNow = machineMs();
    const busyShare = (machineNow.busy - machine.busy) / (machineNow.total - machine.total);
    const { drawn, frames } = await drain(page);
    const after = await progress();
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(PROFILE!, JSON.stringify(profile));
      console.log(`  React commits: ${frames.commits} in ${MEASURE_MS / 1000} s, ${drawn.length} of them drawing live batches`);
      console.log(`  CPU profile of the page: ${PROFILE}; hottest functions by self time:`);
      for (const line of hottest(profile as never)) console.log(`    ${line}`);
      await cdp.detach();
    }
    // The lab while it draws the run: to see that it really does.
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (problems.length > 0) console.log(`  errors in the page: ${problems.join(' | ')}`);

    // Per event: emission (the run's clock zero on the wall clock, plus `t`) to its frame.
    const latencies: number[] = [];
    const toPage: number[] = [];
    const inPage: number[] = [];
    const newest: number[] = [];
    let dropped = 0;
    for (const frame of drawn) {
      let newestT = -Infinity;
      for (const batch of frame.batches) {
        dropped += batch.dropped;
        for (const t of batch.ts) {
          latencies.push(frame.drawnAt - (origin.low + t));
          toPage.push(batch.receivedAt - (origin.low + t));
          inPage.push(frame.drawnAt - batch.receivedAt);
          if (t > newestT) newestT = t;
        }
      }
      if (newestT > -Infinity) newest.push(frame.drawnAt - (origin.low + newestT));
    }
    const draw = spread(latencies);
    const arrive = spread(toPage);
    const paged = spread(inPage);
    const newestDraw = spread(newest);
    const gaps = spread(frames.gaps);
    const loafs = spread(frames.loafs.map((l) => l.duration));
    const longTaskMs = frames.longTasks.reduce((sum, task) => sum + task.duration, 0);
    const sentRate = ((after.sent - before.sent) / (after.elapsedMs - before.elapsedMs)) * 1000;
    const width = round(origin.high - origin.low);
    const seconds = MEASURE_MS / 1000;
    const meets = (value: number, goal: number) => (value <= goal ? `within the ${goal} ms goal` : `ABOVE the ${goal} ms goal`);

    return [
      {
        name: 'draw latency p95 (event emitted → frame drawn)',
        value: round(draw.p95),
        unit: 'ms',
        note: `${meets(draw.p95, GOAL_DRAW_MS)}; ${describe(draw)} events in ${seconds} s; run clock placed within ${width} ms (the figure errs long by at most that)`,
      },
      { name: 'draw latency p50', value: round(draw.p50), unit: 'ms', note: `max ${round(draw.max)} ms` },
      {
        name: 'of which: emitted → at the page (sandbox and hub batching, socket)',
        value: round(arrive.p95),
        unit: 'ms p95',
        note: `p50 ${round(arrive.p50)} ms, max ${round(arrive.max)} ms`,
      },
      {
        name: 'of which: at the page → drawn (merge, render, paint)',
        value: round(paged.p95),
        unit: 'ms p95',
        note: `p50 ${round(paged.p50)} ms, max ${round(paged.max)} ms`,
      },
      {
        name: 'draw latency of the newest event of each frame',
        value: round(newestDraw.p95),
        unit: 'ms p95',
        note: `${describe(newestDraw)} frames that drew events`,
      },
      {
        name: 'frame time p95 (gap between animation frames)',
        value: round(gaps.p95),
        unit: 'ms',
        note: `${meets(gaps.p95, GOAL_FRAME_MS)}; ${describe(gaps)} frames in ${seconds} s`,
      },
      { name: 'frame time p50', value: round(gaps.p50), unit: 'ms', note: `max ${round(gaps.max)} ms` },
      {
        name: 'long animation frames (> 50 ms)',
        value: frames.loafs.length,
        unit: 'frames',
        note: frames.loafs.length ? `${describe(loafs)}` : 'none',
      },
      { name: 'long tasks (> 50 ms)', value: frames.longTasks.length, unit: 'tasks', note: `${round(longTaskMs, 0)} ms in all, in ${seconds} s` },
      { name: 'events drawn per second', value: round(draw.n / seconds, 0), unit: 'events/s', note: `${dropped} dropped by the server for the page` },
      { name: 'requests sent per second', value: round(sentRate, 0), unit: 'req/s', note: `target ${RATE}` },
      {
        name: 'machine busy while measured',
        value: round(busyShare * 100, 0),
        unit: '%',
        note: `${availableParallelism()} cores; the workbench (server, sandboxes and their database processes) ${round(serverShare * 100, 0)}% of one core`,
      },
    ];
  } finally {
    await stopRun?.().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchBrowser()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
