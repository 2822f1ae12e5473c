import type { PatternManifest } from '../kit/index.ts';
import { storeParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { storeViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'repository',
  title: 'Repository',
  category: 'data',
  summary:
    'Put the data behind a typed collection-like interface (get, list by page, add, update, remove, find by email) so the service code never writes SQL: two implementations, SQLite and in memory, keep one contract, and a unit of work makes several calls one transaction.',
  editableFiles: ['repository.ts', 'memory-repository.ts', 'sqlite-repository.ts', 'unit-of-work.ts', 'domain.ts', 'errors.ts'],
  telemetry,
  labs: [
    {
      id: 'store',
      title: 'Users and orders, in SQLite or in memory',
      summary:
        'A users-and-orders API whose every request goes through the repositories, over 100,000 users. Swap SQLite and memory live, and watch the query log: a list page that loads orders per user (N+1) against a join, a deep page by OFFSET against one by key, and concurrent edits of one user with and without the version check.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'database',
          kind: 'database',
          title: 'SQLite',
          description:
            'Every statement the SQLite repositories send. Latency makes each statement slow (an N+1 page pays it 21 times); busy or locked fails statements, and a unit of work that hits one rolls back all it wrote. The in-memory storage has no statements to fault.',
        },
      ],
      params: storeParams.specs,
      views: storeViews,
      guide: {
        watch:
          'Watch the **Requests** log beside the **Query log**: the *statements* column counts the SQL each repository call ran; open a request to see its statements.',
        tryFirst: { label: 'Switch the workload to the N+1 listing', params: { workload: 'orders-n-plus-one' } },
      },
      // 20 requests a second of the mix: every operation, a few statements each.
      defaultLoad: { model: 'open', rate: 20 },
      invariants: [
        {
          id: 'no-lost-update',
          description:
            'No acknowledged edit is lost: an edit is only acknowledged if it was made on top of every edit of that user acknowledged before it.',
        },
        {
          id: 'page-in-order',
          description: 'Every page lists users in increasing id order, each once, no more than a page of them, and (paged by key) only users after its cursor.',
        },
      ],
    },
  ],
};
