import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter lets every caller through while half-open: a slow probe lets a crowd through with it.
    pattern: 'circuit-breaker',
    lab: 'payments',
    exercise: '02-limit-half-open-probes',
    invariant: 'half-open-probe-limit',
    load: { model: 'open', rate: 50 },
    params: { resetTimeoutMs: 2_000 },
    faults: [
      { atMs: 1_000, point: 'payments', spec: fault({ errorRate: 1, error: { kind: 'status', status: 503 } }) },
      { atMs: 2_000, point: 'payments', spec: fault({ errorRate: 0, latency: { baseMs: 200, jitterMs: 0, rate: 1 } }) },
    ],
    untilMs: 8_000,
  },
];
