/**
 * The two labs' knobs, declared once: pattern.ts lists them in the manifest
 * (`flakyParams.specs`, `contentionParams.specs`) and the labs read them
 * typed, defaults included (`flakyParams.read(ctx.params)`). The knobs both
 * labs share are written once below, with the default each lab gives them.
 */
import { defineParams } from '../kit/index.ts';

const jitter = <D extends 'none' | 'full' | 'equal' | 'decorrelated'>(defaultValue: D) =>
  ({
    label: 'Jitter',
    description:
      'How each delay is spread at random. none: exactly the delay; full: random(0, d); equal: d/2 + random(0, d/2); decorrelated: min(cap, random(base, previous × 3)).',
    type: 'enum',
    default: defaultValue,
    options: [
      { value: 'none', label: 'None' },
      { value: 'full', label: 'Full jitter' },
      { value: 'equal', label: 'Equal jitter' },
      { value: 'decorrelated', label: 'Decorrelated jitter' },
    ],
  }) as const;

const delayStrategy = {
  label: 'Delay strategy',
  description: 'How the delay grows with each retry, before jitter (decorrelated jitter grows on its own).',
  type: 'enum',
  default: 'exponential',
  options: [
    { value: 'constant', label: 'Constant: base' },
    { value: 'linear', label: 'Linear: base × n' },
    { value: 'exponential', label: 'Exponential: base × 2ⁿ⁻¹' },
  ],
} as const;

const maxAttempts = (defaultValue: number) =>
  ({
    label: 'Max attempts',
    description: 'Attempts in all, the first included.',
    type: 'integer',
    default: defaultValue,
    min: 1,
    max: 20,
  }) as const;

const baseDelayMs = {
  label: 'Base delay',
  description: 'The first retry’s delay before jitter.',
  type: 'integer',
  default: 100,
  min: 10,
  max: 2_000,
  step: 10,
  unit: 'ms',
} as const;

const capDelayMs = (defaultValue: number) =>
  ({
    label: 'Delay cap',
    description: 'No wait is longer than this, whatever the strategy.',
    type: 'integer',
    default: defaultValue,
    min: 10,
    max: 30_000,
    step: 10,
    unit: 'ms',
  }) as const;

export const flakyParams = defineParams({
  jitter: jitter('full'),
  delayStrategy,
  maxAttempts: maxAttempts(5),
  baseDelayMs,
  capDelayMs: capDelayMs(2_000),
  deadlineMs: {
    label: 'Deadline',
    description: 'The budget of one request, all attempts and waits included: no attempt starts and no wait is scheduled past it.',
    type: 'integer',
    default: 3_000,
    min: 100,
    max: 60_000,
    step: 100,
    unit: 'ms',
  },
  flakiness: {
    label: 'Inventory flakiness',
    description: 'The share of calls inventory answers with a 503 on its own, before any injected fault.',
    type: 'number',
    default: 0.2,
    min: 0,
    max: 1,
    step: 0.05,
  },
});

export const contentionParams = defineParams({
  jitter: jitter('full'),
  clients: {
    label: 'Clients',
    description:
      'How many requests make one herd: set the load to the same number (closed model, concurrency and amount both equal to it). The summary comes when they are all done.',
    type: 'integer',
    default: 100,
    min: 1,
    max: 500,
  },
  outageMs: {
    label: 'Outage',
    description: 'How long orders is down when a herd arrives.',
    type: 'integer',
    default: 1_000,
    min: 0,
    max: 30_000,
    step: 100,
    unit: 'ms',
  },
  capacity: {
    label: 'Capacity',
    description: 'Calls orders serves at a time once it is back (each takes 50 ms); the rest get a 503 at once.',
    type: 'integer',
    default: 10,
    min: 1,
    max: 500,
  },
  maxAttempts: maxAttempts(10),
  baseDelayMs,
  capDelayMs: capDelayMs(1_000),
});
