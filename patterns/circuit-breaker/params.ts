/**
 * The payments lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`paymentsParams.specs`) and lab.ts reads them typed, defaults
 * included (`paymentsParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

export const paymentsParams = defineParams({
  policy: {
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
  resetTimeoutMs: {
    label: 'Reset timeout',
    description: 'How long the circuit stays open before it lets a probe through.',
    type: 'integer',
    default: 5_000,
    min: 1_000,
    max: 60_000,
    step: 500,
    unit: 'ms',
  },
  callTimeoutMs: {
    label: 'Call timeout',
    description: 'A payments call taking longer is aborted and counts as a failure.',
    type: 'integer',
    default: 1_000,
    min: 50,
    max: 10_000,
    step: 50,
    unit: 'ms',
  },
});
