import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter's v2 change takes nothing back: v1 and v2 share the handler, and v2's split of
    // `name` reaches every v1 client. An outage in the handler on top must not count as a break.
    pattern: 'api-versioning',
    lab: 'api',
    exercise: '02-write-a-version-transformation',
    invariant: 'contract-kept',
    load: { model: 'open', rate: 20 },
    params: { mix: 'legacy', scheme: 'mixed' },
    faults: [{ atMs: 2_000, point: 'handler', spec: fault({ errorRate: 0.2, error: { kind: 'exception' } }) }],
    untilMs: 5_000,
  },
  {
    // The starter answers a client that names no version in v1, as the widely copied Python
    // version's `Header(default="v1")` does: the clients written against the newest docs break.
    pattern: 'api-versioning',
    lab: 'api',
    exercise: '03-pin-clients-that-name-no-version',
    invariant: 'contract-kept',
    load: { model: 'open', rate: 20 },
    params: { unversionedShare: 0.5 },
    faults: [],
    untilMs: 4_000,
  },
  {
    // The starter announces v1's deprecation as `Deprecation: true`, an ISO Sunset and a bare Link:
    // no client can read any of it.
    pattern: 'api-versioning',
    lab: 'api',
    exercise: '01-announce-the-deprecation',
    invariant: 'deprecation-announced',
    load: { model: 'open', rate: 20 },
    faults: [],
    untilMs: 4_000,
  },
];
