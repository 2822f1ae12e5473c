import type { Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter's projection applies every event it is handed: a batch delivered a second time
    // (at-least-once delivery) counts its orders twice, and the read model no longer equals the events.
    pattern: 'cqrs',
    lab: 'orders',
    exercise: '02-make-the-projection-idempotent',
    invariant: 'read-model-matches-events',
    load: { model: 'open', rate: 20, clients: 2 },
    params: { redeliveryShare: 0.5 },
    faults: [],
    untilMs: 5_000,
  },
];
