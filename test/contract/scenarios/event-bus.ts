import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter rethrows a handler's last failure: the publication the sign-up waits on rejects.
    pattern: 'event-bus',
    lab: 'signup',
    exercise: '02-isolate-a-failing-handler',
    invariant: 'publish-never-fails',
    load: { model: 'open', rate: 10 },
    faults: [{ atMs: 1_000, point: 'track-analytics', spec: fault({ errorRate: 1, error: { kind: 'exception' } }) }],
    untilMs: 5_000,
  },
];
