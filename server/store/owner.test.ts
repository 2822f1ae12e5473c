import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreOpenError } from './errors.ts';
import { Store } from './store.ts';
import { tempStores } from './testing.ts';

const { tempDb, open, cleanup } = tempStores('wb-owner-');
afterEach(cleanup);

const openError = (open: () => unknown): StoreOpenError => {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return error as StoreOpenError;
  }
  throw new Error('it opened');
};

describe('one database, one owner', () => {
  it('a second owner is refused with a message naming the file, the owner and --db; the first is untouched', () => {
    const path = tempDb();
    const first = open(path, { owner: true });
    first.setOwnerUrl('http://127.0.0.1:4567');
    first.createRun({ id: 'live', patternId: 'p', lab: 'l', seed: 1 });

    const error = openError(() => open(path, { owner: true }));
    expect(error.message).toContain(path);
    expect(error.message).toContain(`in use by the workbench with pid ${process.pid} at http://127.0.0.1:4567`);
    expect(error.message).toContain('--db PATH');

    // The first goes on: its run is still running and it still writes.
    expect(first.getRun('live')?.status).toBe('running');
    first.appendEvents('live', [{ type: 'log', t: 1, runId: 'live', seq: 0, level: 'info', msg: 'still here', fields: {} }]);
    expect(first.countEvents('live')).toBe(1);
  });

  it('other connections can still read (and write) the database while it is owned', () => {
    const path = tempDb();
    const owner = open(path, { owner: true });
    owner.setSetting('theme', 'dark');
    const tool = new Database(path);
    try {
      expect(tool.prepare("SELECT value FROM settings WHERE key = 'theme'").get()).toEqual({ value: '"dark"' });
    } finally {
      tool.close();
    }
    const plain = open(path);
    expect(plain.getSetting('theme')).toBe('dark');
  });

  it('close() gives ownership up', () => {
    const path = tempDb();
    const first = new Store(path, { owner: true });
    first.close();
    const second = open(path, { owner: true });
    expect(second.schemaVersion).toBeGreaterThan(0);
  });

  it('an in-memory store needs no lock', () => {
    open(':memory:', { owner: true });
    open(':memory:', { owner: true });
  });

  it('the OS gives ownership back when the owner is killed with SIGKILL', async () => {
    const path = tempDb();
    const script = [
      `import { Store } from ${JSON.stringify(new URL('./store.ts', import.meta.url).pathname)};`,
      'globalThis.store = new Store(process.env.DB_PATH, { owner: true });',
      "process.stdout.write('owned\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DB_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => String(chunk).includes('owned') && resolve());
        child.once('close', (code) => reject(new Error(`the owner exited (${code}): ${stderr}`)));
      });
      expect(openError(() => open(path, { owner: true })).message).toContain(`pid ${child.pid}`);
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await closed;
      // At once: no stale lock to wait out or clean up.
      expect(open(path, { owner: true }).schemaVersion).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
