/** The fault spec schema accepts the database point's errors (busy, locked) and nothing unknown. */
import { describe, expect, it } from 'vitest';
import { faultSpecSchema } from './schemas.ts';

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
