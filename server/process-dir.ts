/**
 * A folder of this process's own under the OS temp dir, `<tmp>/<name>/<pid>`,
 * removed when the process exits. A process killed by a signal cannot clean
 * up, so the folders of processes that are gone are swept when the next one
 * asks for its folder of that name.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made = new Map<string, string>();

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const processDir = (name: string): string => {
  let dir = made.get(name);
  if (!dir) {
    const base = path.join(tmpdir(), name);
    mkdirSync(base, { recursive: true });
    for (const entry of readdirSync(base)) {
      if (/^\d+$/.test(entry) && Number(entry) !== process.pid && !isAlive(Number(entry))) {
        rmSync(path.join(base, entry), { recursive: true, force: true });
      }
    }
    const own = path.join(base, String(process.pid));
    mkdirSync(own, { recursive: true });
    process.once('exit', () => rmSync(own, { recursive: true, force: true }));
    made.set(name, (dir = own));
  }
  return dir;
};
