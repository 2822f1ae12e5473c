import { describe, expect, it } from 'vitest';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { start } from './lab.ts';
import { fleetParams } from './params.ts';
import { pattern } from './pattern.ts';

type Values = typeof fleetParams.defaults;

/** The api lab started on the kit's virtual-time LabContext, with its invariants and these params (defaults otherwise). */
const startLab = async (params: Partial<Values> = {}) => {
  const harness = makeTestLabContext({ params: { ...fleetParams.defaults, ...params }, lab: pattern.labs[0] });
  return { ...harness, lab: await start(harness.ctx) };
};

const count = <T>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});

describe('api lab', () => {
  it('serves every client in the version it was written against, by every scheme, and leaves no timer behind', async () => {
    const { lab, drive, events, violations, clock } = await startLab();
    const results = await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 100 });
    expect(results).toHaveLength(60);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    const served = eventsOf(events, 'api-versioning.served');
    expect(count(served, (e) => e.scheme)).toEqual({ url: expect.any(Number), header: expect.any(Number), 'media-type': expect.any(Number), pinned: expect.any(Number) });
    // v1 is the newest handler with two changes taken back; v3 is the newest handler alone.
    expect(served.find((e) => e.version === 'v1')).toMatchObject({ chain: 'newest handler → take back v3 → take back v2', transformations: 2, deprecated: true });
    expect(served.find((e) => e.version === 'v3')).toMatchObject({ chain: 'newest handler', transformations: 0, deprecated: false });
    // The clients that named no version were pinned to the newest at their first request, once each.
    const pins = eventsOf(events, 'api-versioning.pinned');
    expect(pins).toHaveLength(3);
    expect(pins.every((p) => p.version === 'v3' && p.versionId === '2026-01-01')).toBe(true);
    expect(eventsOf(events, 'api-versioning.checked').every((e) => e.ok)).toBe(true);
    expect(violations).toEqual([]);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  it('moves the v1 clients off v1 once the Deprecation header tells them, before the sunset', async () => {
    const { lab, drive, events, violations } = await startLab({ mix: 'legacy', migrationS: 30, sunsetAfterS: 60 });
    await drive(lab, { rate: 20, untilMs: 50_000, settleMs: 100 });
    const migrated = eventsOf(events, 'api-versioning.migrated');
    expect(migrated.length).toBeGreaterThan(0);
    expect(migrated.every((m) => m.from === 'v1' && m.to === 'v3')).toBe(true);
    const lastFleet = eventsOf(events, 'api-versioning.fleet').at(-1)!;
    expect(lastFleet.v1).toBe(0);
    // No v1 request in the last ten seconds: v1 can be retired.
    expect(eventsOf(events, 'api-versioning.served').filter((e) => e.version === 'v1' && e.t > 40_000)).toEqual([]);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('answers 410 Gone after the sunset to v1 clients that never upgraded: announced, so no contract is broken', async () => {
    const { lab, drive, events, violations } = await startLab({ migrationS: 0, sunsetAfterS: 10 });
    const results = await drive(lab, { rate: 20, untilMs: 15_000, settleMs: 100 });
    const gone = results.filter((r) => r.status === 410);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((r) => r.outcome === 'rejected')).toBe(true);
    expect(eventsOf(events, 'api-versioning.served').some((e) => e.status === 410 && e.chain === 'v1 retired (410)')).toBe(true);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('sends no deprecation headers once v1 is no longer deprecated', async () => {
    const { lab, drive, events, violations } = await startLab();
    await drive(lab, { rate: 20, untilMs: 1_000 });
    lab.updateParams!({ ...fleetParams.defaults, deprecateV1: false });
    await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 100 });
    const later = eventsOf(events, 'api-versioning.served').filter((e) => e.t > 1_100 && e.version === 'v1');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((e) => !e.deprecated)).toBe(true);
    expect(eventsOf(events, 'api-versioning.lifecycle').map((e) => e.announced)).toEqual([true, false]);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('turns a failing newest handler into 500s in every version at once, and breaks no contract', async () => {
    const { lab, drive, events, violations, setFault } = await startLab();
    setFault('handler', 'exception');
    const results = await drive(lab, { rate: 20, untilMs: 1_000, settleMs: 100 });
    expect(results.every((r) => r.outcome === 'error' && r.status === 500)).toBe(true);
    expect(new Set(eventsOf(events, 'api-versioning.served').map((e) => e.version))).toEqual(new Set(['v1', 'v2', 'v3']));
    expect(new Set(eventsOf(events, 'api-versioning.served').map((e) => e.chain))).toEqual(new Set(['newest handler (500)']));
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('rebuilds the fleet when the mix changes, keeping the pins', async () => {
    const { lab, drive, events } = await startLab();
    await drive(lab, { rate: 20, untilMs: 1_000 });
    lab.updateParams!({ ...fleetParams.defaults, mix: 'modern', scheme: 'header' });
    await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 100 });
    expect(eventsOf(events, 'api-versioning.fleet').at(-1)).toMatchObject({ v1: 1, v2: 3, v3: 8, unversioned: 3 });
    const later = eventsOf(events, 'api-versioning.served').filter((e) => e.t > 1_100);
    expect(new Set(later.map((e) => e.scheme))).toEqual(new Set(['header', 'pinned']));
    await lab.dispose();
  });
});
