import { describe, expect, it } from 'vitest';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { start } from './lab.ts';
import { basicParams } from './params.ts';
import { pattern } from './pattern.ts';

type Values = typeof basicParams.defaults;

/** The basic lab started on the kit's virtual-time LabContext, with its invariants and these params (defaults otherwise). */
const startLab = async (params: Partial<Values> = {}) => {
  const harness = makeTestLabContext({ params: { ...basicParams.defaults, ...params }, lab: pattern.labs[0] });
  return { ...harness, lab: await start(harness.ctx) };
};

describe('basic lab', () => {
  it('serves every request while the backend is healthy, and leaves no timer behind', async () => {
    const { lab, drive, events, violations, clock } = await startLab();
    const results = await drive(lab, { rate: 20, untilMs: 2_000, settleMs: 100 });
    expect(results).toHaveLength(40);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(eventsOf(events, '__id__.decision').every((e) => e.admitted)).toBe(true);
    expect(violations).toEqual([]);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  it('turns calls away while the limit is full of calls to a slow backend, and never lets more through', async () => {
    const { lab, drive, events, violations, setFault } = await startLab({ limit: 3 });
    setFault('backend', { status: 200, latencyMs: 1_000 });
    const results = await drive(lab, { rate: 20, untilMs: 2_000, settleMs: 1_000 });
    const decisions = eventsOf(events, '__id__.decision');
    // Three slots held a second each serve about 3 requests a second of the 20 sent.
    expect(results.filter((r) => r.outcome === 'rejected').length).toBeGreaterThan(20);
    expect(results.filter((r) => r.outcome === 'ok').length).toBe(decisions.filter((d) => d.admitted).length);
    expect(Math.max(...decisions.map((d) => d.inFlight))).toBe(3);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('frees the slots of calls that time out: a hung backend costs each call its timeout, not the lab its slots', async () => {
    const { lab, drive, setFault } = await startLab({ callTimeoutMs: 500 });
    setFault('backend', 'hang');
    const hung = await drive(lab, { rate: 20, untilMs: 1_000, settleMs: 500 });
    expect(hung.some((r) => r.outcome === 'timeout')).toBe(true);
    setFault('backend', undefined);
    const healed = await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 100 });
    expect(healed.filter((r) => r.outcome !== 'ok')).toEqual([]);
    await lab.dispose();
  });
});
