/**
 * The sign-up lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`signupParams.specs`) and lab.ts reads them typed, defaults
 * included (`signupParams.read(ctx.params)`). Both apply live.
 */
import { defineParams } from '../kit/index.ts';

export const signupParams = defineParams({
  distinctEmails: {
    label: 'Distinct emails per second',
    description:
      'Each second the load signs up new addresses drawn from this many (sent from several clients at once, as double-clicks and retries are). At the default almost every sign-up is a new person; lower it to 2 and sign-ups for one address arrive within milliseconds of each other.',
    type: 'integer',
    default: 10_000,
    min: 1,
    max: 10_000,
  },
  emailCheckMs: {
    label: 'Email check',
    description:
      "How long the service's deliverability check of a new address takes, between its look-up of the email and its insert: the window in which a second sign-up for the same address passes the look-up too.",
    type: 'integer',
    default: 50,
    min: 0,
    max: 2_000,
    step: 10,
    unit: 'ms',
  },
});
