import type { Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter has no unique constraint: two sign-ups for one address that arrive within one
    // email check of each other both pass the service's look-up, both insert, and both get a 201.
    pattern: 'service-layer',
    lab: 'signup',
    exercise: '03-close-the-check-then-insert-race',
    invariant: 'unique-email',
    load: { model: 'open', rate: 40, clients: 4 },
    params: { distinctEmails: 2 },
    faults: [],
    untilMs: 5_000,
  },
];
