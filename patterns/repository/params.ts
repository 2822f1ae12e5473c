/**
 * The store lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`storeParams.specs`) and lab.ts reads them typed, defaults included
 * (`storeParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

/** Users the lab's database holds (ids 1 … SEEDED_USERS), in SQLite and in memory alike. */
export const SEEDED_USERS = 100_000;

/** Users per page, in every listing the lab makes. */
export const PAGE_SIZE = 20;

export const storeParams = defineParams({
  storage: {
    label: 'Storage',
    description:
      'Which implementation of the same repository interfaces serves the requests, swapped live. Both hold the same 100,000 users and their orders; only SQLite sends statements (the query log stays empty in memory).',
    type: 'enum',
    default: 'sqlite',
    options: [
      { value: 'sqlite', label: 'SQLite (sqlite-repository.ts)' },
      { value: 'memory', label: 'In memory (memory-repository.ts)' },
    ],
  },
  workload: {
    label: 'Workload',
    description: 'What each request of the load does through the repositories.',
    type: 'enum',
    default: 'mixed',
    options: [
      { value: 'mixed', label: 'A mix: get, find by email, a page, an edit, a sign-up' },
      { value: 'orders-n-plus-one', label: 'Users with their orders: a page, then each user’s orders (N+1)' },
      { value: 'orders-join', label: 'Users with their orders: one query with a join' },
      { value: 'page-offset', label: 'A deep page by OFFSET (as the widely copied Python version)' },
      { value: 'page-keyset', label: 'A deep page by key (after the last id seen)' },
      { value: 'edits-versioned', label: 'Concurrent edits of a few users, version checked' },
      { value: 'edits-unchecked', label: 'Concurrent edits, version read again just before writing (as the widely copied Python version)' },
    ],
  },
  pageDepth: {
    label: 'Page depth',
    description: 'Where the deep pages start: how many users come before them. Offset paging reads and throws away that many rows for every page.',
    type: 'integer',
    default: 90_000,
    min: 0,
    max: SEEDED_USERS - PAGE_SIZE,
    step: 1_000,
    unit: 'users',
  },
  hotUsers: {
    label: 'Users being edited',
    description: 'How many users the edit workloads share between them: fewer means more requests editing the same user at once.',
    type: 'integer',
    default: 3,
    min: 1,
    max: 100,
  },
});

export type StoreSettings = typeof storeParams.defaults;
export type Workload = StoreSettings['workload'];
