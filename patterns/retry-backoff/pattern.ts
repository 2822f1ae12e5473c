import type { ParamSpec, PatternManifest } from '../kit/index.ts';

const jitter = (defaultValue: string): ParamSpec => ({
  id: 'jitter',
  label: 'Jitter',
  description:
    'How each delay is spread at random. none: exactly the delay; full: random(0, d); equal: d/2 + random(0, d/2); decorrelated: min(cap, random(base, previous × 3)).',
  type: 'enum',
  default: defaultValue,
  options: [
    { value: 'none', label: 'None' },
    { value: 'full', label: 'Full jitter' },
    { value: 'equal', label: 'Equal jitter' },
    { value: 'decorrelated', label: 'Decorrelated jitter' },
  ],
});

const delayStrategy: ParamSpec = {
  id: 'delayStrategy',
  label: 'Delay strategy',
  description: 'How the delay grows with each retry, before jitter (decorrelated jitter grows on its own).',
  type: 'enum',
  default: 'exponential',
  options: [
    { value: 'constant', label: 'Constant: base' },
    { value: 'linear', label: 'Linear: base × n' },
    { value: 'exponential', label: 'Exponential: base × 2ⁿ⁻¹' },
  ],
};

const maxAttempts = (defaultValue: number): ParamSpec => ({
  id: 'maxAttempts',
  label: 'Max attempts',
  description: 'Attempts in all, the first included.',
  type: 'integer',
  default: defaultValue,
  min: 1,
  max: 20,
});

const baseDelayMs: ParamSpec = {
  id: 'baseDelayMs',
  label: 'Base delay',
  description: 'The first retry’s delay before jitter.',
  type: 'integer',
  default: 100,
  min: 10,
  max: 2_000,
  step: 10,
  unit: 'ms',
};

const capDelayMs = (defaultValue: number): ParamSpec => ({
  id: 'capDelayMs',
  label: 'Delay cap',
  description: 'No wait is longer than this, whatever the strategy.',
  type: 'integer',
  default: defaultValue,
  min: 10,
  max: 30_000,
  step: 10,
  unit: 'ms',
});

export const pattern: PatternManifest = {
  id: 'retry-backoff',
  title: 'Retry with exponential backoff',
  category: 'resilience',
  summary:
    'Try again when a call fails in a way that may pass: only transient failures, a bounded number of times, waiting longer and a little randomly between attempts, within a deadline.',
  editableFiles: ['retry.ts', 'backoff.ts', 'retryable.ts'],
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
      params: [
        jitter('full'),
        delayStrategy,
        maxAttempts(5),
        baseDelayMs,
        capDelayMs(2_000),
        {
          id: 'deadlineMs',
          label: 'Deadline',
          description: 'The budget of one request, all attempts and waits included: no attempt starts and no wait is scheduled past it.',
          type: 'integer',
          default: 3_000,
          min: 100,
          max: 60_000,
          step: 100,
          unit: 'ms',
        },
        {
          id: 'flakiness',
          label: 'Inventory flakiness',
          description: 'The share of calls inventory answers with a 503 on its own, before any injected fault.',
          type: 'number',
          default: 0.2,
          min: 0,
          max: 1,
          step: 0.05,
        },
      ],
      views: ['retries', 'request-log', 'charts'],
      defaultLoad: { model: 'open', rate: 10 },
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
      params: [
        jitter('full'),
        {
          id: 'clients',
          label: 'Clients',
          description:
            'How many requests make one herd: set the load to the same number (closed model, concurrency and amount both equal to it). The summary comes when they are all done.',
          type: 'integer',
          default: 100,
          min: 1,
          max: 500,
        },
        {
          id: 'outageMs',
          label: 'Outage',
          description: 'How long orders is down when a herd arrives.',
          type: 'integer',
          default: 1_000,
          min: 0,
          max: 30_000,
          step: 100,
          unit: 'ms',
        },
        {
          id: 'capacity',
          label: 'Capacity',
          description: 'Calls orders serves at a time once it is back (each takes 50 ms); the rest get a 503 at once.',
          type: 'integer',
          default: 10,
          min: 1,
          max: 500,
        },
        maxAttempts(10),
        baseDelayMs,
        capDelayMs(1_000),
      ],
      views: ['retries', 'charts', 'request-log'],
      // One request per client, all at once: 100 clients, 100 requests, each
      // client waiting for its answer (and sending nothing more).
      defaultLoad: { model: 'closed', concurrency: 100, amount: 100, clients: 100 },
    },
  ],
};
