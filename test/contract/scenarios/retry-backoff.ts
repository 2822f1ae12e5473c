import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter has no overall deadline: against a hung inventory it keeps trying past it.
    pattern: 'retry-backoff',
    lab: 'flaky',
    exercise: '03-honour-retry-after-and-a-deadline',
    invariant: 'attempt-within-deadline',
    load: { model: 'open', rate: 10 },
    // Five attempts of 500 ms each cannot fit in 1.5 s.
    params: { deadlineMs: 1_500 },
    faults: [{ atMs: 1_000, point: 'inventory', spec: fault({ errorRate: 1, error: { kind: 'hang' } }) }],
    untilMs: 8_000,
  },
];
