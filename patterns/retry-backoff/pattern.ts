import type { PatternManifest } from '../kit/index.ts';
import { contentionParams, flakyParams } from './params.ts';
import { contentionViews, flakyViews } from './views.ts';
import { telemetry } from './telemetry.ts';

export const pattern: PatternManifest = {
  id: 'retry-backoff',
  title: 'Retry with exponential backoff',
  category: 'resilience',
  summary:
    'Try again when a call fails in a way that may pass: only transient failures, a bounded number of times, waiting longer and a little randomly between attempts, within a deadline.',
  editableFiles: ['retry.ts', 'backoff.ts', 'retryable.ts'],
  telemetry,
  labs: [
    {
      id: 'flaky',
      title: 'Product page calls a flaky inventory',
      summary:
        'Each GET /products/:sku asks the inventory service for stock through a retry policy; inventory fails a share of calls on its own. Watch every attempt and wait per request, then inject 429s with Retry-After, 400s, resets or hangs.',
      module: 'flaky-lab.ts',
      faultPoints: [
        {
          id: 'inventory',
          kind: 'http',
          title: 'Inventory service',
          description:
            'Called once per attempt. 408, 429, 500, 502, 503, 504, resets, refused connections and timeouts are retried; other 4xx are not. A 429 or 503 with Retry-After sets the wait.',
        },
      ],
      params: flakyParams.specs,
      views: flakyViews,
      guide: {
        watch:
          'Watch the **Retries** view: each request is a row of attempts and the waits between them, retried with growing, jittered delays until one succeeds or its deadline is spent.',
        tryFirst: { label: 'Take inventory down for 15 s', fault: { point: 'inventory', preset: 'outage' } },
      },
      defaultLoad: { model: 'open', rate: 10 },
      invariants: [
        {
          id: 'attempts-bounded',
          description: 'No request is tried more than maxAttempts times, the first attempt included.',
        },
        {
          id: 'wait-capped',
          description:
            'No retry waits longer than the delay cap; when inventory sent Retry-After, no longer than the longest Retry-After the lab honours (5 s).',
        },
        {
          id: 'attempt-within-deadline',
          description: "No attempt starts after the request's deadline: once the budget is spent, the request gives up.",
        },
      ],
    },
    {
      id: 'contention',
      title: 'A herd of clients against a recovering service',
      summary:
        'Many clients place one order each at the same moment, while the orders service is down; it comes back with limited capacity. Switch the jitter and compare the waves of retries, the total calls and the time until all clients are done.',
      module: 'contention-lab.ts',
      faultPoints: [
        {
          id: 'orders',
          kind: 'http',
          title: 'Orders service',
          description:
            'Down (503) for the first outageMs of each herd, then serves at most `capacity` calls at a time and answers 503 to the rest at once. Faults injected here come on top.',
        },
      ],
      params: contentionParams.specs,
      views: contentionViews,
      guide: {
        watch:
          'Watch the **Retries** view: a herd of clients retries against an orders service that comes back with room for a few; jitter decides whether their retries arrive in waves or spread out.',
        tryFirst: { label: 'Turn jitter off: every client retries in step', params: { jitter: 'none' } },
      },
      // One request per client, all at once: 100 clients, 100 requests, each
      // client waiting for its answer (and sending nothing more).
      defaultLoad: { model: 'closed', concurrency: 100, amount: 100, clients: 100 },
      invariants: [
        {
          id: 'attempts-bounded',
          description: 'No request is tried more than maxAttempts times, the first attempt included.',
        },
        {
          id: 'wait-capped',
          description:
            'No retry waits longer than the delay cap; when orders sent Retry-After, no longer than the policy honours (maxRetryAfterMs in retry.ts).',
        },
      ],
    },
  ],
};
