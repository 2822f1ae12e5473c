/**
 * The api lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`apiParams.specs`) and lab.ts reads them typed, defaults included
 * (`apiParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

export const apiParams = defineParams({
  algorithm: {
    label: 'Algorithm',
    description:
      'How the limit is enforced. A fixed window resets its count at each boundary; the sliding window counts the last window from now; the token bucket refills continuously.',
    type: 'enum',
    default: 'fixed-window',
    options: [
      { value: 'fixed-window', label: 'Fixed window' },
      { value: 'sliding-window', label: 'Sliding window (log)' },
      { value: 'token-bucket', label: 'Token bucket' },
    ],
  },
  limit: {
    label: 'Limit',
    description: 'Requests each client may make per window (the bucket size for the token bucket).',
    type: 'integer',
    default: 10,
    min: 1,
    max: 1_000,
  },
  windowMs: {
    label: 'Window',
    description: 'The window the limit applies to (the token bucket refills the limit over it).',
    type: 'integer',
    default: 1_000,
    min: 100,
    max: 60_000,
    step: 100,
    unit: 'ms',
  },
  boundaryBurst: {
    label: 'Boundary burst client',
    description:
      "Adds a scripted client ('burst-client') that sends a full limit just before a window boundary and another just after, every third window, and logs how many got through.",
    type: 'boolean',
    default: false,
  },
});
