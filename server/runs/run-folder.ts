/**
 * A run's own folder, for the files it keeps while it lives (its database):
 * `<OS temp dir>/patterns-workbench-runs/<server pid>/<run id>`. Removed when
 * the run ends, and the whole per-process folder when the process exits; a
 * process killed by a signal cannot clean up, so folders of processes that are
 * gone are swept when the next one makes its first run folder.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let processDir: string | undefined;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const ownDir = (): string => {
  if (!processDir) {
    const base = path.join(tmpdir(), 'patterns-workbench-runs');
    mkdirSync(base, { recursive: true });
    for (const name of readdirSync(base)) {
      if (/^\d+$/.test(name) && Number(name) !== process.pid && !isAlive(Number(name))) {
        rmSync(path.join(base, name), { recursive: true, force: true });
      }
    }
    const dir = path.join(base, String(process.pid));
    mkdirSync(dir, { recursive: true });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    processDir = dir;
  }
  return processDir;
};

export interface RunFolder {
  dir: string;
  /** Removes the folder and everything in it. */
  remove(): void;
}

/** Makes the run's folder (empty). */
export function makeRunFolder(runId: string): RunFolder {
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new RangeError(`not a run id: ${JSON.stringify(runId)}`);
  const dir = path.join(ownDir(), runId);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
