/** The fault spec schema accepts the database point's errors (busy, locked) and nothing unknown. */
import { describe, expect, it } from 'vitest';
import { describeZodError } from './errors.ts';
import { faultSpecSchema, loadProfileSchema, paramsSchema } from './schemas.ts';

describe('faultSpecSchema', () => {
  it.each([[{ kind: 'busy' }], [{ kind: 'locked' }], [{ kind: 'exception', message: 'boom' }], [{ kind: 'status', status: 503 }]])(
    'accepts the error %j',
    (error) => {
      const parsed = faultSpecSchema.safeParse({ errorRate: 1, error });
      expect(parsed.success).toBe(true);
      if (parsed.success) expect(parsed.data).toMatchObject({ enabled: true, errorRate: 1, error });
    },
  );

  it('accepts busy and locked in a scheduled window too', () => {
    const parsed = faultSpecSchema.safeParse({ schedule: [{ startMs: 0, durationMs: 1000, error: { kind: 'locked' } }] });
    expect(parsed.success).toBe(true);
  });

  it.each([[{ kind: 'meteor' }], [{ kind: 'BUSY' }], [{}]])('refuses the error %j', (error) => {
    expect(faultSpecSchema.safeParse({ error }).success).toBe(false);
  });
});

/** The messages the learner reads: the lab forms' words and units, never the body's field names alone. */
describe('messages in the forms’ words', () => {
  const messageOf = (result: { success: boolean; error?: unknown }): string => {
    if (result.success) throw new Error('expected a refusal');
    return describeZodError(result.error as Parameters<typeof describeZodError>[0]);
  };

  it.each([
    [{ latency: { baseMs: -5, jitterMs: 0, rate: 1 } }, 'latency.baseMs: Latency must be at least 0 ms'],
    [{ latency: { baseMs: 0, jitterMs: 4_000_000, rate: 1 } }, 'latency.jitterMs: Latency jitter must be at most 3600000 ms'],
    [{ errorRate: 2 }, 'errorRate: Error rate must be from 0 to 100 %'],
    [{ errorRate: -0.1 }, 'errorRate: Error rate must be from 0 to 100 %'],
    [{ failFirst: 1.5 }, 'failFirst: Fail first must be a whole number'],
    [{ error: { kind: 'status', status: 200 } }, 'error.status: Status must be from 400 to 599'],
    [{ schedule: [{ startMs: 0, durationMs: 5000, repeatEveryMs: 5000 }] }, 'A window’s repeat (every) must be longer than its duration (for)'],
  ])('a fault %j → %s', (body, message) => {
    expect(messageOf(faultSpecSchema.safeParse(body))).toContain(message);
  });

  it.each([
    [{ model: 'open', rate: -1 }, 'rate: Rate must be at least 0 req/s'],
    [{ model: 'closed', concurrency: 0 }, 'concurrency: Concurrency must be at least 1'],
    [{ model: 'closed', concurrency: 2, thinkTimeMs: -1 }, 'thinkTimeMs: Think time must be at least 0 ms'],
    [{ model: 'open', rate: 1, amount: 2.5 }, 'amount: Amount must be a whole number'],
  ])('a load %j → %s', (body, message) => {
    expect(messageOf(loadProfileSchema.safeParse(body))).toContain(message);
  });

  it('words a param by its label and unit', () => {
    const schema = paramsSchema([{ id: 'resetTimeoutMs', type: 'integer', label: 'Reset timeout', default: 5000, min: 1000, max: 60_000, unit: 'ms' }]);
    expect(messageOf(schema.safeParse({ resetTimeoutMs: 10 }))).toBe('resetTimeoutMs: Reset timeout must be from 1000 to 60000 ms');
    expect(messageOf(schema.safeParse({ resetTimeoutMs: 1500.5 }))).toBe('resetTimeoutMs: Reset timeout must be a whole number');
    expect(messageOf(schema.safeParse({ resetTimeoutMs: 'soon' }))).toBe('resetTimeoutMs: Reset timeout must be a number');
  });
});
