import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createLoopGuard, LOOP_GUARD_GLOBAL, type LoopLocation } from './loop-guard.ts';
import { insertLoopGuards } from './loop-guard-transform.ts';

// Real time, kept short: what is tested is the event loop really blocked for longer than this.
const LIMIT_MS = 100;
// A stuck loop is stopped within a turn-stamp interval or so of the limit; this much more
// is allowed for a machine busy with other things.
const SLACK_MS = 1_000;

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** A guard whose onStuck only records what it was told (so the guard then throws). */
function recordingGuard() {
  const told: Array<{ location: LoopLocation; blockedMs: number }> = [];
  const guard = createLoopGuard({ limitMs: LIMIT_MS, onStuck: (location, blockedMs) => void told.push({ location, blockedMs }) });
  return { guard, told };
}

describe('the loop guard', () => {
  it('stops a loop that blocks the event loop past the limit, and says which loop', async () => {
    const { guard, told } = recordingGuard();
    await new Promise((resolve) => setTimeout(resolve, 60)); // a turn or two of the event loop
    const started = performance.now();
    let turns = 0;
    expect(() => {
      for (;;) {
        guard('patterns/retry/retry.ts', 42, 5);
        turns++;
      }
    }).toThrow('The loop at patterns/retry/retry.ts:42:5 was stopped: it kept the event loop blocked for');
    const took = performance.now() - started;
    expect(told).toHaveLength(1);
    expect(told[0]!.location).toEqual({ file: 'patterns/retry/retry.ts', line: 42, column: 5 });
    expect(told[0]!.blockedMs).toBeGreaterThan(LIMIT_MS);
    expect(took).toBeLessThan(LIMIT_MS + SLACK_MS);
    expect(turns).toBeGreaterThan(1_000);
  });

  it('stops a loop whose every turn is slow soon after the limit, not thousands of turns later', () => {
    const { guard, told } = recordingGuard();
    const started = performance.now();
    expect(() => {
      for (;;) {
        guard('patterns/demo/slow.ts', 3, 1);
        busyFor(20);
      }
    }).toThrow(/was stopped/);
    expect(told).toHaveLength(1);
    // Looking every few thousand turns, it would run on for a minute.
    expect(performance.now() - started).toBeLessThan(LIMIT_MS + 400);
  });

  it('leaves alone a loop that lets the event loop turn between its turns, however long it runs', async () => {
    const { guard, told } = recordingGuard();
    const started = performance.now();
    let turns = 0;
    while (performance.now() - started < 4 * LIMIT_MS) {
      guard('patterns/demo/poll.ts', 7, 3);
      turns++;
      busyFor(2);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(turns).toBeGreaterThan(10);
    expect(told).toEqual([]);
  });

  it('tells once; a loop that catches the error and blocks on is stopped again', () => {
    const { guard, told } = recordingGuard();
    const stops: string[] = [];
    expect(() => {
      for (let i = 0; ; i++) {
        try {
          guard('patterns/demo/stubborn.ts', 1, 1);
        } catch (error) {
          stops.push((error as Error).message);
          if (stops.length === 3) throw error;
        }
      }
    }).toThrow(/was stopped/);
    expect(told).toHaveLength(1);
    expect(stops).toHaveLength(3);
  });
});

describe('installLoopGuard, in a process of its own', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));

  /**
   * Runs `source` (a learner's file) guarded and bundled, in a new Node process that installed
   * the guard first, as a sandbox process does; onStuck prints what it was told and exits 3.
   */
  async function runGuarded(source: string): Promise<{ code: number | null; stdout: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'loop-guard-'));
    try {
      const file = path.join(dir, 'stuck.ts');
      writeFileSync(file, source);
      const bundle = path.join(dir, 'bundle.mjs');
      await build({
        entryPoints: [file],
        outfile: bundle,
        bundle: true,
        format: 'esm',
        platform: 'node',
        logLevel: 'silent',
        plugins: [
          {
            name: 'loop-guards',
            setup(b) {
              b.onLoad({ filter: /\.ts$/ }, () => ({ contents: insertLoopGuards(file, source, 'patterns/demo/stuck.ts').code, loader: 'ts' }));
            },
          },
        ],
      });
      const script = `
        import { installLoopGuard } from ${JSON.stringify(pathToFileURL(path.join(here, 'loop-guard.ts')).href)};
        installLoopGuard({ limitMs: ${LIMIT_MS}, onStuck(location, blockedMs) {
          console.log(JSON.stringify({ location, blocked: blockedMs > ${LIMIT_MS} }));
          process.exit(3);
        } });
        const descriptor = Object.getOwnPropertyDescriptor(globalThis, ${JSON.stringify(LOOP_GUARD_GLOBAL)});
        console.log(JSON.stringify({ writable: descriptor.writable, configurable: descriptor.configurable }));
        await import(${JSON.stringify(pathToFileURL(bundle).href)});
        console.log('"done"');`;
      try {
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 15_000 });
        return { code: 0, stdout };
      } catch (error) {
        const failed = error as { code?: number | null; stdout?: string; stderr?: string };
        if (typeof failed.code !== 'number') throw error;
        return { code: failed.code, stdout: failed.stdout ?? '' };
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const lines = (stdout: string): unknown[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);

  it('ends a process stuck in a loop, naming the loop in the learner’s source', async () => {
    const source = ['let ready = false;', 'setTimeout(() => { ready = true; }, 10);', 'export let spins = 0;', 'while (!ready) spins++;'].join('\n');
    const { code, stdout } = await runGuarded(source);
    expect(code).toBe(3);
    expect(lines(stdout)).toEqual([
      { writable: false, configurable: false },
      { location: { file: 'patterns/demo/stuck.ts', line: 4, column: 1 }, blocked: true },
    ]);
  });

  it('lets a process whose loop awaits the event loop finish', async () => {
    const source = [
      'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
      'let ready = false;',
      `setTimeout(() => { ready = true; }, ${3 * LIMIT_MS});`,
      'while (!ready) await sleep(5);',
    ].join('\n');
    const { code, stdout } = await runGuarded(source);
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([{ writable: false, configurable: false }, 'done']);
  });
});
