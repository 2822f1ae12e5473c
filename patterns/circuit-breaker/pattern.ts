import type { PatternManifest } from '../kit/index.ts';
import { paymentsParams } from './params.ts';
import { paymentsViews } from './views.ts';
import { telemetry } from './telemetry.ts';

export const pattern: PatternManifest = {
  id: 'circuit-breaker',
  title: 'Circuit breaker',
  category: 'resilience',
  summary:
    'Stop calling a downstream that keeps failing: fail fast while it recovers, then let a few probe calls find out whether it is back.',
  editableFiles: ['circuit-breaker.ts', 'breakers.ts'],
  telemetry,
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
      params: paymentsParams.specs,
      views: paymentsViews,
      guide: {
        watch:
          'Watch the **Circuit** view: while payments answers, the circuit stays `closed`; when payments keeps failing, the circuit opens, callers fail fast, and a probe tests whether payments is back.',
        tryFirst: { label: 'Fail every call to payments', fault: { point: 'payments', preset: 'fail' } },
      },
      defaultLoad: { model: 'open', rate: 20 },
      invariants: [
        {
          id: 'open-circuit-blocks-calls',
          description: 'An open circuit lets no call through to payments: every caller fails fast until the reset timeout.',
        },
        {
          id: 'half-open-probe-limit',
          description:
            'A half-open circuit lets at most halfOpenMaxProbes calls through to payments (DEFAULTS in circuit-breaker.ts, 1 as shipped) before it closes or opens again.',
        },
      ],
    },
  ],
};
