import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter never takes back a job whose lease expired: the jobs a killed worker held stay
    // active for good, and nobody runs them again.
    pattern: 'background-jobs',
    lab: 'jobs',
    exercise: '02-take-back-a-dead-workers-jobs',
    invariant: 'no-job-lost',
    load: { model: 'open', rate: 10, clients: 4 },
    params: { leaseMs: 1_000 },
    faults: [{ atMs: 1_000, point: 'worker-crash', spec: fault({ errorRate: 0.2, error: { kind: 'exception' } }) }],
    untilMs: 8_000,
  },
];
