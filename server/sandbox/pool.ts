/**
 * Sandbox processes started ahead of need. Starting Node, its permission
 * model and the sandbox's guards takes a good part of a second on a loaded
 * machine; a process from the pool has done all that and waits for its
 * `start` (see child-main.ts), so a run, a save's trial or an exercise's
 * checks starts in the time it takes to load its entry. Each taken process is
 * replaced at once, in the background.
 *
 * The pool holds processes with the default limits only: a sandbox with other
 * limits (a test's short watchdog) starts its own.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DEFAULT_SPAWN_LIMITS, makeSandboxFolder, spawnSandbox, type SpawnLimits } from './spawn.ts';
import { prebuiltChildMain, prebuiltEntry } from './prebuilt.ts';
import { isControlMessage, SANDBOX_KEY } from './protocol.ts';

interface Warm {
  child: ChildProcess;
  folder: string;
  /** It has installed its guards and waits for `start`. */
  guarded: boolean;
  release(): void;
}

const sameLimits = (a: SpawnLimits, b: SpawnLimits): boolean =>
  (Object.keys(DEFAULT_SPAWN_LIMITS) as Array<keyof SpawnLimits>).every((key) => a[key] === b[key]);

const warm: Warm[] = [];
let filling: Promise<void> | undefined;
/** How many processes each holder of the pool wants kept warm; the pool keeps the largest. */
const wanted = new Set<{ count: number }>();
const size = (): number => Math.max(0, ...[...wanted].map((w) => w.count));

/**
 * Keeps `count` processes warm until the returned handle is disposed (a workbench does, when
 * it closes); the pool ends its waiting processes once nobody wants any.
 */
export function keepWarm(count: number): { dispose(): void } {
  const want = { count };
  wanted.add(want);
  refill();
  return {
    dispose() {
      wanted.delete(want);
      while (warm.length > size()) end(warm.pop()!);
    },
  };
}

/** Builds what a sandbox runs and starts the pool's processes: a run started next does not wait for either. */
export async function prepareSandboxes(entries: Array<string | URL>): Promise<void> {
  await Promise.all(entries.map((entry) => prebuiltEntry(entry)));
}

/** A warm, guarded process with these limits, taken out of the pool; undefined if none is ready. */
export function takeWarm(limits: SpawnLimits): { child: ChildProcess; folder: string } | undefined {
  if (!sameLimits(limits, DEFAULT_SPAWN_LIMITS)) return undefined;
  const index = warm.findIndex((w) => w.guarded && w.child.connected);
  if (index < 0) return undefined;
  const [taken] = warm.splice(index, 1);
  taken!.release();
  // From now on it is a sandbox's: it keeps the server alive like any other.
  taken!.child.ref();
  taken!.child.channel?.ref();
  refill();
  return { child: taken!.child, folder: taken!.folder };
}

function refill(): void {
  if (filling || warm.length >= size()) return;
  filling = (async () => {
    try {
      const childMain = await prebuiltChildMain();
      while (warm.length < size()) warm.push(spawnWarm(childMain));
    } catch {
      // No pool then: every sandbox starts its own process, as a sandbox with other limits does.
    } finally {
      filling = undefined;
    }
  })();
}

function spawnWarm(childMain: string): Warm {
  const folder = makeSandboxFolder();
  const child = spawnSandbox(childMain, folder, DEFAULT_SPAWN_LIMITS);
  const entry: Warm = {
    child,
    folder,
    guarded: false,
    release: () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    },
  };
  const onMessage = (message: unknown) => {
    if (isControlMessage(message) && message[SANDBOX_KEY] === 'guarded') entry.guarded = true;
  };
  // One that ends while it waits (it could not start) is replaced, once: a process that cannot
  // start at all must not be respawned in a loop.
  const onExit = () => {
    const index = warm.indexOf(entry);
    if (index >= 0) warm.splice(index, 1);
    rmSync(folder, { recursive: true, force: true });
  };
  const onError = () => undefined;
  child.on('message', onMessage);
  child.on('exit', onExit);
  child.on('error', onError);
  // A waiting process must not keep the server alive, nor its output pile up unread.
  child.unref();
  child.channel?.unref();
  child.stdout?.resume();
  child.stderr?.resume();
  return entry;
}

function end(entry: Warm): void {
  entry.release();
  entry.child.kill('SIGKILL');
  rmSync(entry.folder, { recursive: true, force: true });
}
