/**
 * The basic lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`basicParams.specs`) and lab.ts reads them typed, defaults included
 * (`basicParams.read(ctx.params)`). The lab has no `updateParams`, so a change
 * restarts it with the new values.
 */
import { defineParams } from '../kit/index.ts';

export const basicParams = defineParams({
  limit: {
    label: 'Concurrency limit',
    description: 'Most calls to the backend in flight at once. A call that finds every slot taken is turned away at once (a 503).',
    type: 'integer',
    default: 4,
    min: 1,
    max: 50,
  },
  callTimeoutMs: {
    label: 'Call timeout',
    description: 'A backend call taking longer is abandoned (a 504), and its slot is free again.',
    type: 'integer',
    default: 2_000,
    min: 100,
    max: 10_000,
    step: 100,
    unit: 'ms',
  },
});
