import { describe, expect, it } from 'vitest';
import type { HttpResponse, LabContext } from '../kit/index.ts';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { start } from './lab.ts';
import { fleetParams } from './params.ts';
import { pattern } from './pattern.ts';

type Values = typeof fleetParams.defaults;

interface LabOptions {
  /** The `handler` fault point's latency: every call of the newest handler takes this long first. */
  handlerLatencyMs?: number;
  /** Rewrites each of the API's answers on its way to the client: an API that gets it wrong. */
  rewrite?: (response: HttpResponse) => HttpResponse;
}

/** The api lab started on the kit's virtual-time LabContext, with its invariants and these params (defaults otherwise). */
const startLab = async (params: Partial<Values> = {}, { handlerLatencyMs, rewrite }: LabOptions = {}) => {
  const harness = makeTestLabContext({ params: { ...fleetParams.defaults, ...params }, lab: pattern.labs[0] });
  const ctx: LabContext = {
    ...harness.ctx,
    ...(handlerLatencyMs !== undefined && { fault: () => ({ hit: () => harness.clock.sleep(handlerLatencyMs) }) }),
    ...(rewrite && {
      server: (name, definition) => harness.ctx.server(name, { handle: async (request) => rewrite(await definition.handle(request)) }),
    }),
  };
  return { ...harness, lab: await start(ctx) };
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

  it('rebuilds the fleet when the mix changes: the new clients get keys of their own, pinned once each, and the old pins stay', async () => {
    const { lab, drive, events, violations } = await startLab();
    await drive(lab, { rate: 20, untilMs: 1_000 });
    lab.updateParams!({ ...fleetParams.defaults, mix: 'modern', scheme: 'header' });
    await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 100 });
    expect(eventsOf(events, 'api-versioning.fleet').at(-1)).toMatchObject({ v1: 1, v2: 3, v3: 8, unversioned: 3 });
    const later = eventsOf(events, 'api-versioning.served').filter((e) => e.t > 1_100);
    expect(new Set(later.map((e) => e.scheme))).toEqual(new Set(['header', 'pinned']));
    // Three keys pinned by the first fleet, three new ones by the second: no new client inherits an old key, or its pin.
    const pins = eventsOf(events, 'api-versioning.pinned');
    expect(pins.filter((p) => p.t < 1_000)).toHaveLength(3);
    expect(pins.filter((p) => p.t >= 1_000)).toHaveLength(3);
    expect(pins.every((p) => p.versionId === '2026-01-01')).toBe(true);
    const keys = eventsOf(events, 'log').flatMap((e) => (/ named no version: pinned to /.test(e.msg) ? [e.msg] : []));
    expect(keys).toHaveLength(6);
    // Every client that named no version was served the version its key was pinned to, and kept its contract.
    expect(later.filter((e) => e.scheme === 'pinned').every((e) => e.version === 'v3')).toBe(true);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('judges an answer by the version the client asked for, even when the client upgrades while the request is on its way', async () => {
    // Two clients (v1 and v2), a handler that takes 2 s, and an upgrade within 10 s of the first Deprecation header:
    // when the v1 client moves to v3, some 20 of its v1 requests are still in flight.
    const { lab, drive, events, violations } = await startLab({ clients: 2, mix: 'legacy', unversionedShare: 0, migrationS: 10 }, { handlerLatencyMs: 2_000 });
    await drive(lab, { rate: 20, untilMs: 15_000, settleMs: 3_000 });
    const migrated = eventsOf(events, 'api-versioning.migrated');
    expect(migrated).toMatchObject([{ from: 'v1', to: 'v3' }]);
    const answeredAfter = eventsOf(events, 'api-versioning.checked').filter((e) => e.t > migrated[0]!.t);
    expect(answeredAfter.some((e) => e.expected === 'v1' && e.served === 'v1')).toBe(true);
    expect(answeredAfter.every((e) => e.ok)).toBe(true);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('accepts the lifecycle in force when a request was sent, after v1 is deprecated and its sunset moved mid-run', async () => {
    const { lab, drive, events, violations, clock } = await startLab({ deprecateV1: false, migrationS: 0 }, { handlerLatencyMs: 1_000 });
    // Each change is made with a second of requests in flight, answered under the lifecycle before it.
    void clock.sleep(2_000).then(() => lab.updateParams!({ ...fleetParams.defaults, migrationS: 0, deprecateV1: true }));
    void clock.sleep(4_000).then(() => lab.updateParams!({ ...fleetParams.defaults, migrationS: 0, sunsetAfterS: 300 }));
    await drive(lab, { rate: 20, untilMs: 6_000, settleMs: 1_500 });
    expect(eventsOf(events, 'api-versioning.lifecycle').map((e) => e.announced)).toEqual([false, true, true]);
    // Answers in v1 made before each change arrived after it, with the headers of their day.
    expect(eventsOf(events, 'api-versioning.served').filter((e) => e.version === 'v1' && e.t > 2_000 && !e.deprecated).length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('takes no version from the answer: a v1 answer that claims to be v2 and drops the headers breaks both invariants', async () => {
    const { lab, drive, violations } = await startLab({ migrationS: 0 }, {
      rewrite: (response) => {
        if (response.headers['x-api-version'] !== '2024-01-01') return response;
        const { deprecation: _d, sunset: _s, link: _l, ...headers } = response.headers;
        return { ...response, headers: { ...headers, 'x-api-version': '2025-01-01' } };
      },
    });
    await drive(lab, { rate: 20, untilMs: 1_000, settleMs: 100 });
    expect(new Set(violations.map((v) => v.invariant))).toEqual(new Set(['contract-kept', 'deprecation-announced']));
    expect(violations.find((v) => v.invariant === 'deprecation-announced')!.detail).toMatch(/v1 by .*Deprecation is null/);
    await lab.dispose();
  });

  it('flags Deprecation and Sunset on a version the lab never announced deprecated', async () => {
    const { lab, drive, violations } = await startLab({ migrationS: 0 }, {
      rewrite: (response) =>
        response.headers['x-api-version'] === '2025-01-01' ? { ...response, headers: { ...response.headers, deprecation: '@1767225600' } } : response,
    });
    await drive(lab, { rate: 20, untilMs: 1_000, settleMs: 100 });
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.invariant === 'deprecation-announced' && /v2 was never announced deprecated/.test(v.detail))).toBe(true);
    await lab.dispose();
  });
});
