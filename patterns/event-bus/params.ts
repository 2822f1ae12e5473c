/**
 * The signup lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`signupParams.specs`) and lab.ts reads them typed, defaults
 * included (`signupParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

export const signupParams = defineParams({
  maxAttempts: {
    label: 'Attempts per handler',
    description:
      'How many times a handler is tried on one event (the first try included) before the event is dead-lettered for it. 1 means no retry.',
    type: 'integer',
    default: 3,
    min: 1,
    max: 10,
  },
  delivery: {
    label: 'Sign-up answers',
    description:
      'Whether POST /signup answers as soon as user.created is published, or waits until every handler has finished (retries included). Either way a failing handler does not fail the sign-up.',
    type: 'enum',
    default: 'background',
    options: [
      { value: 'background', label: 'After publishing (handlers run in the background)' },
      { value: 'wait', label: 'After every handler has finished' },
    ],
  },
  redriveEveryMs: {
    label: 'Replay dead letters every',
    description: 'Replays every dead letter to its handler at this interval; 0 never replays.',
    type: 'integer',
    default: 0,
    min: 0,
    max: 60_000,
    step: 1_000,
    unit: 'ms',
  },
});
