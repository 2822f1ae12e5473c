import type { Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter's update copies every attribute of the user it is handed, the stale version too:
    // the version never moves, and two edits made from one read are both acknowledged.
    pattern: 'repository',
    lab: 'store',
    exercise: '01-update-only-what-changed',
    invariant: 'no-lost-update',
    load: { model: 'open', rate: 50 },
    params: { storage: 'memory', workload: 'edits-versioned', hotUsers: 3 },
    faults: [],
    untilMs: 3_000,
  },
];
