import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter disposes a request's scope only after its work succeeds: a sign-up whose email
    // fails keeps its connection, and five of them run the pool of five dry.
    pattern: 'dependency-injection',
    lab: 'signup',
    exercise: '02-dispose-what-a-scope-created',
    invariant: 'scope-disposes-what-it-created',
    load: { model: 'open', rate: 20 },
    faults: [{ atMs: 1_000, point: 'email', spec: fault({ errorRate: 0.3, error: { kind: 'status', status: 503 } }) }],
    untilMs: 6_000,
  },
];
