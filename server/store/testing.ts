/**
 * For the store's tests: databases in temp folders, and stores that are
 * closed and removed after each test (call `cleanup` from `afterEach`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.ts';

export const tempStores = (prefix: string) => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  return {
    /** A path for a new database in a folder of its own. */
    tempDb(): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return join(dir, 'workbench.db');
    },
    /** Opens a store that `cleanup` closes. */
    open(path: string, options: ConstructorParameters<typeof Store>[1] = {}): Store {
      const store = new Store(path, options);
      stores.push(store);
      return store;
    },
    cleanup(): void {
      for (const store of stores.splice(0)) store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
};
