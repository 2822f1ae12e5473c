import type { PatternManifest } from '../kit/index.ts';

export const pattern: PatternManifest = {
  id: 'circuit-breaker',
  title: 'Circuit breaker',
  category: 'resilience',
  summary:
    'Stop calling a downstream that keeps failing: fail fast while it recovers, then let a few probe calls find out whether it is back.',
  editableFiles: ['circuit-breaker.ts', 'breakers.ts'],
  labs: [
    {
      id: 'payments',
      title: 'Checkout calls payments',
      summary:
        'Each request to POST /checkout charges a card through the payments service, behind a circuit breaker. Break payments and watch the circuit open, reject calls, probe and close.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'payments',
          kind: 'http',
          title: 'Payments service',
          description:
            'The downstream the circuit protects. Errors (5xx, reset, down) and hangs count as failures; a hang ends at the call timeout.',
        },
      ],
      params: [
        {
          id: 'policy',
          label: 'Trip policy',
          description:
            'When the circuit opens: after N failures in a row, or when the failure rate over a sliding window crosses a threshold (thresholds come from DEFAULTS in circuit-breaker.ts).',
          type: 'enum',
          default: 'consecutive',
          options: [
            { value: 'consecutive', label: 'Consecutive failures' },
            { value: 'failure-rate', label: 'Failure rate over a window' },
          ],
        },
        {
          id: 'resetTimeoutMs',
          label: 'Reset timeout',
          description: 'How long the circuit stays open before it lets a probe through.',
          type: 'integer',
          default: 5_000,
          min: 1_000,
          max: 60_000,
          step: 500,
          unit: 'ms',
        },
        {
          id: 'callTimeoutMs',
          label: 'Call timeout',
          description: 'A payments call taking longer is aborted and counts as a failure.',
          type: 'integer',
          default: 1_000,
          min: 50,
          max: 10_000,
          step: 50,
          unit: 'ms',
        },
      ],
      views: ['circuit', 'request-log', 'charts'],
      defaultLoad: { model: 'open', rate: 20 },
    },
  ],
};
