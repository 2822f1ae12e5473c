import { describe, expect, it } from 'vitest';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { start } from './lab.ts';
import { checkoutParams } from './params.ts';
import { pattern } from './pattern.ts';

type Values = typeof checkoutParams.defaults;

/** The checkout lab on the kit's virtual-time LabContext, with its invariants and these params (defaults otherwise). */
const startLab = async (params: Partial<Values> = {}) => {
  const harness = makeTestLabContext({ params: { ...checkoutParams.defaults, ...params }, lab: pattern.labs[0], seed: 11 });
  return { ...harness, lab: await start(harness.ctx) };
};

const broken = <V extends { invariant: string }>(violations: V[], id: string): V[] => violations.filter((v) => v.invariant === id);

describe('checkout lab', () => {
  it('serves every checkout, logs each request across both services under its id, and leaves no timer behind', async () => {
    const { lab, drive, events, violations, clock } = await startLab();
    const results = await drive(lab, { rate: 20, untilMs: 2_000, settleMs: 200 });
    expect(results).toHaveLength(40);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    const lines = eventsOf(events, 'structured-logging.line');
    const first = lines.filter((l) => l.requestId === results[0]!.id);
    expect(first.map((l) => `${l.service} ${l.level} ${l.msg}`)).toEqual(
      expect.arrayContaining(['checkout debug request received', 'checkout info charging card', 'payments info charge accepted', 'checkout info order placed', 'checkout info request completed']),
    );
    // The order line logged the whole user and the client's address: the redaction took both out.
    const placed = first.find((l) => l.msg === 'order placed')!;
    expect(placed.fields).toMatchObject({ user: { id: expect.any(String), email: '[REDACTED]' }, clientIp: '[REDACTED]' });
    expect(placed.text).toContain(`requestId=${results[0]!.id}`);
    expect(lines.every((l) => l.requestId !== undefined)).toBe(true);
    expect(violations).toEqual([]);
    const volume = eventsOf(events, 'structured-logging.volume');
    expect(volume.length).toBeGreaterThanOrEqual(2);
    expect(volume[1]!.info).toBeGreaterThan(0);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  it('shows the email and IP addresses once redaction is off: no-pii-in-logs breaks', async () => {
    const { lab, drive, violations } = await startLab({ redaction: false });
    await drive(lab, { rate: 20, untilMs: 500, settleMs: 200 });
    const pii = broken(violations, 'no-pii-in-logs');
    expect(pii.length).toBeGreaterThan(0);
    expect(pii.map((v) => v.detail).join('\n')).toMatch(/an email address, m…@example\.com/);
    await lab.dispose();
  });

  it('mixes up request ids under concurrency when the context is kept in a module variable', async () => {
    const calm = await startLab({ carrier: 'module-variable' });
    // One request at a time: a module variable is enough, which is why the bug ships.
    await calm.drive(calm.lab, { rate: 5, untilMs: 1_000, settleMs: 200 });
    expect(calm.violations).toEqual([]);
    await calm.lab.dispose();

    const busy = await startLab({ carrier: 'module-variable' });
    await busy.drive(busy.lab, { rate: 200, untilMs: 1_000, settleMs: 200 });
    const mixed = broken(busy.violations, 'every-line-has-request-id');
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed[0]!.detail).toMatch(/while serving req-\d+, with the request id of req-\d+/);
    await busy.lab.dispose();
  });

  it('keeps debug near its budget under load, and every error line, when payments fails', async () => {
    const { lab, drive, events, violations, setFault } = await startLab({ debugPerSecond: 50 });
    setFault('payments', () => ({ status: 503 }));
    const results = await drive(lab, { rate: 200, untilMs: 2_000, settleMs: 200 });
    expect(results.every((r) => r.status === 502)).toBe(true);
    const [, second] = eventsOf(events, 'structured-logging.volume');
    // 200 requests a second, each with two or more debug lines: two budgets of 50, and one in a hundred past them.
    expect(second!.debug).toBeLessThan(120);
    expect(second!.sampledOut).toBeGreaterThan(200);
    // Two error lines per failed checkout (checkout's and payments'), about 200 checkouts in the second: none sampled out.
    expect(second!.error).toBeGreaterThanOrEqual(380);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('lets the whole debug flood through with sampling off', async () => {
    const { lab, drive, events } = await startLab({ sampling: false });
    await drive(lab, { rate: 200, untilMs: 2_000, settleMs: 200 });
    const [, second] = eventsOf(events, 'structured-logging.volume');
    expect(second!.debug).toBeGreaterThan(500);
    expect(second!.sampledOut).toBe(0);
    await lab.dispose();
  });

  it('logs a crash in the price look-up as an error with its request id', async () => {
    const { lab, drive, events, violations, setFault } = await startLab();
    setFault('pricing', 'exception');
    const results = await drive(lab, { rate: 20, untilMs: 500, settleMs: 100 });
    expect(results.every((r) => r.status === 500)).toBe(true);
    const failed = eventsOf(events, 'structured-logging.line').filter((l) => l.msg === 'checkout failed');
    expect(failed.map((l) => l.requestId)).toEqual(results.map((r) => r.id));
    expect(violations).toEqual([]);
    await lab.dispose();
  });
});
