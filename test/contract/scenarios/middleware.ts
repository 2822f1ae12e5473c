import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter puts the rate limiter first: its 429s leave before a request id is given.
    pattern: 'middleware',
    lab: 'api',
    exercise: '01-put-the-middleware-in-order',
    invariant: 'response-has-request-id',
    load: { model: 'open', rate: 80, clients: 4 },
    faults: [{ atMs: 1_000, point: 'handler', spec: fault({ errorRate: 0.2, error: { kind: 'exception' } }) }],
    untilMs: 4_000,
  },
];
