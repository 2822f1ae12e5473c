/**
 * How a sandbox process is started: the command line that puts it under
 * Node's permission model and its memory limits, its folder, its environment.
 * (host.ts watches a started process; pool.ts keeps some started ahead.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { processDir } from '../process-dir.ts';
import { defaultBundleDir } from './compile.ts';
import { prebuiltDir } from './prebuilt.ts';

export interface SandboxLimits {
  /** Old-generation heap of the process, in MB. Default 256. */
  maxOldGenerationSizeMb: number;
  /** Young-generation semi-space, in MB. Default 16. */
  maxSemiSpaceSizeMb: number;
  /**
   * The process's resident memory, in MB: what the heap limit does not count (Buffers,
   * ArrayBuffers, native allocations) counts here. Default 640.
   */
  maxRssMb: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { maxOldGenerationSizeMb: 256, maxSemiSpaceSizeMb: 16, maxRssMb: 640 };

/** What a sandbox process is started with: its limits are on its command line. */
export interface SpawnLimits extends SandboxLimits {
  heartbeatMs: number;
  /** How long a loop may keep the event loop before its guard stops it. */
  loopLimitMs: number;
}

export const DEFAULT_SPAWN_LIMITS: SpawnLimits = { ...DEFAULT_LIMITS, heartbeatMs: 100, loopLimitMs: 1500 };

let folderCount = 0;

/** A folder of the sandbox's own, for whatever it keeps while it lives (the run's database). */
export function makeSandboxFolder(): string {
  const dir = path.join(processDir('patterns-workbench-runs'), `sandbox-${++folderCount}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Node's flags for a sandbox process: the permission model, reading only the prebuilt code,
 * the lab bundles and its folder, writing only its folder; no child processes, no worker
 * threads, no native addons, no inspector (the permission model grants none of them unless
 * asked); no code built from strings; its heap limits.
 */
export function sandboxExecArgv(folder: string, limits: Pick<SandboxLimits, 'maxOldGenerationSizeMb' | 'maxSemiSpaceSizeMb'>): string[] {
  // Real paths: the permission model compares resolved paths.
  const readable = [prebuiltDir(), defaultBundleDir(), folder].map((dir) => realpathSync(dir));
  return [
    '--experimental-permission',
    ...readable.map((dir) => `--allow-fs-read=${dir}/*`),
    `--allow-fs-write=${realpathSync(folder)}/*`,
    // No eval, no new Function: the compiler sees every import lab code makes, and code
    // built from a string is the one way to make an import it cannot see.
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${limits.maxOldGenerationSizeMb}`,
    `--max-semi-space-size=${limits.maxSemiSpaceSizeMb}`,
    '--no-warnings=ExperimentalWarning',
  ];
}

/** Starts a sandbox process: `child-main` (prebuilt) under `sandboxExecArgv`, talking over IPC only. */
export function spawnSandbox(childMain: string, folder: string, limits: SpawnLimits): ChildProcess {
  return fork(childMain, [String(limits.heartbeatMs), String(limits.loopLimitMs), String(limits.maxOldGenerationSizeMb)], {
    cwd: folder,
    execPath: process.execPath,
    // Not the server's flags (`--import tsx` would load the loader): the sandbox's own.
    execArgv: sandboxExecArgv(folder, limits),
    env: sandboxEnv(process.env),
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

/**
 * What of the server's environment a sandbox sees: what Node and the clock need, nothing
 * else. Lab code can read `process.env`, and it can `fetch`: the user's shell may hold
 * credentials (cloud keys, `WORKBENCH_TOKEN`, which opens the workbench's API), and a snippet
 * pasted from the internet must not find them there.
 */
const SANDBOX_ENV = /^(PATH|HOME|TMPDIR|TMP|TEMP|TZ|LANG|LANGUAGE|LC_[A-Z_]+|NODE_[A-Z_]+|FORCE_COLOR|NO_COLOR)$/;
// Except these NODE_ ones: NODE_OPTIONS could preload code into the process, and NODE_AUTH_TOKEN is a credential.
const NOT_IN_SANDBOX = new Set(['NODE_OPTIONS', 'NODE_AUTH_TOKEN', 'NODE_REPL_EXTERNAL_MODULE', 'NODE_CHANNEL_FD']);

export const sandboxEnv = (env: NodeJS.ProcessEnv): Record<string, string> => {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SANDBOX_ENV.test(name) && !NOT_IN_SANDBOX.has(name)) kept[name] = value;
  }
  return kept;
};
