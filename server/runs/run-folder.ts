/**
 * A run's own folder, for the files it keeps while it lives (its database):
 * `<OS temp dir>/patterns-workbench-runs/<server pid>/<run id>`. Removed when
 * the run ends, and the whole per-process folder when the process exits; a
 * process killed by a signal cannot clean up, so folders of processes that are
 * gone are swept when the next one makes its first run folder.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { processDir } from '../process-dir.ts';

const ownDir = (): string => processDir('patterns-workbench-runs');

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
