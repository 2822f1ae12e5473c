import { describe, expect, it } from 'vitest';
import type { LabInstance } from '../kit/index.ts';
import { eventsOf, makeTestLabContext, type TestLabContext } from '../kit/testing.ts';
import { start } from './lab.ts';
import { DEFAULT_DOTENV, DEFAULT_ENVIRONMENT, serviceParams, type ServiceParams } from './params.ts';
import { pattern } from './pattern.ts';

const KEY = 'sk_live_51HxQ2b7Kq9v3Tz8';

/** The service lab on the kit's virtual-time LabContext, with these params (defaults otherwise). */
const startLab = async (params: Partial<ServiceParams> = {}) => {
  const harness = makeTestLabContext({ params: { ...serviceParams.defaults, ...params }, lab: pattern.labs[0] });
  const lab = await start(harness.ctx);
  /** Applies params in place, as the run does, then lets the re-read happen. */
  const update = async (next: Partial<ServiceParams>) => {
    lab.updateParams!({ ...serviceParams.defaults, ...params, ...next });
    await harness.clock.advance(10);
  };
  return { ...harness, lab, update };
};

/** Everything the lab showed, as one text: telemetry, logs and the answers' errors. */
const shown = (events: unknown[], results: unknown[] = []) => JSON.stringify(events) + JSON.stringify(results);

/** 20 requests a second for `forMs` of virtual time from now, then time for the last to answer. */
const drive = (h: Pick<TestLabContext, 'drive' | 'clock'>, lab: LabInstance, forMs: number) =>
  h.drive(lab, { rate: 20, untilMs: h.clock.now() + forMs, settleMs: 2_000 });

describe('service lab', () => {
  it('starts on valid settings, shows each with its source, serves every request and leaves no timer behind', async () => {
    const h = await startLab();
    const results = await drive(h, h.lab, 2_000);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(results.some((r) => r.route === 'GET /settings')).toBe(true);
    expect(eventsOf(h.events, 'settings.service')).toMatchObject([{ from: 'starting', to: 'running' }]);
    const values = Object.fromEntries(eventsOf(h.events, 'settings.value').map((e) => [e.setting, e]));
    expect(values).toMatchObject({
      APP_ENV: { value: 'production', source: 'environment' },
      POOL_SIZE: { value: '4', source: '.env', line: 2 },
      PRICING_API_KEY: { value: '**********', source: 'environment', secret: true },
      LOG_LEVEL: { value: 'info', source: '.env' },
    });
    expect(Math.max(...eventsOf(h.events, 'settings.pool').map((e) => e.size))).toBe(4);
    expect(shown(h.events)).not.toContain(KEY);
    expect(h.violations).toEqual([]);
    await h.lab.dispose();
    await h.clock.runUntilIdle(10_000);
    expect(h.clock.pending).toBe(0);
  });

  it('refuses to start on invalid settings, lists every error at once, and answers 503 with them', async () => {
    const h = await startLab({
      environment: 'APP_ENV=production\nPRICING_API_KEY=sk_short_key',
      dotenv: 'POOL_SIZE=four\nREQUEST_TIMEOUT_MS=800',
    });
    const results = await drive(h, h.lab, 1_000);
    expect(eventsOf(h.events, 'settings.service')).toMatchObject([{ to: 'refused' }]);
    expect(eventsOf(h.events, 'settings.invalid').map((e) => e.variable).sort()).toEqual(['POOL_SIZE', 'PRICING_API_KEY', 'PRICING_URL']);
    expect(results.every((r) => r.status === 503 && r.error!.includes('3 problems with its settings'))).toBe(true);
    expect(shown(h.events, results)).not.toContain('sk_short_key');
    expect(h.violations).toEqual([]);

    // Fixed, the supervisor's restart finds valid settings.
    await h.update({ environment: DEFAULT_ENVIRONMENT, dotenv: DEFAULT_DOTENV });
    const fixed = await drive(h, h.lab, 2_000);
    expect(fixed.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(eventsOf(h.events, 'settings.service').at(-1)).toMatchObject({ from: 'refused', to: 'running' });
    await h.lab.dispose();
  });

  it('on the reload strategy, applies a valid edit at once and keeps its settings when an edit is invalid', async () => {
    const h = await startLab();
    await drive(h, h.lab, 500);
    await h.update({ dotenv: DEFAULT_DOTENV.replace('POOL_SIZE=4', 'POOL_SIZE=9') });
    expect(eventsOf(h.events, 'settings.reload').at(-1)).toMatchObject({ outcome: 'applied', changed: 'POOL_SIZE', generation: 2 });
    expect(eventsOf(h.events, 'settings.pool').at(-1)!.size).toBe(9);

    await h.update({ dotenv: 'POOL_SIZE=0\nPRICING_URL=not a url' });
    const results = await drive(h, h.lab, 3_000);
    const rejected = eventsOf(h.events, 'settings.reload').filter((e) => e.outcome === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]).toMatchObject({ trigger: 'edit', errors: 2 });
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(eventsOf(h.events, 'settings.pool').at(-1)!.size).toBe(9);
    expect(h.violations).toEqual([]);
    await h.lab.dispose();
  });

  it('on the cached strategy, ignores an edit (shown as pending) until a restart reads it', async () => {
    const h = await startLab({ reloadStrategy: 'cached' });
    await h.update({ dotenv: DEFAULT_DOTENV.replace('REQUEST_TIMEOUT_MS=800', 'REQUEST_TIMEOUT_MS=50') });
    const still = await drive(h, h.lab, 1_000);
    expect(still.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(eventsOf(h.events, 'settings.reload').at(-1)).toMatchObject({ outcome: 'ignored', changed: 'REQUEST_TIMEOUT_MS' });
    expect(eventsOf(h.events, 'settings.value').find((e) => e.setting === 'REQUEST_TIMEOUT_MS' && e.pending)).toMatchObject({
      value: '800',
      pending: '50 (.env)',
    });

    // A rotated key is pending too, though it shows as the mask.
    const shortTimeout = DEFAULT_DOTENV.replace('REQUEST_TIMEOUT_MS=800', 'REQUEST_TIMEOUT_MS=50');
    await h.update({ dotenv: shortTimeout, environment: DEFAULT_ENVIRONMENT.replace(KEY, 'sk_live_rotated_000000000') });
    expect(eventsOf(h.events, 'settings.reload').at(-1)).toMatchObject({ outcome: 'ignored', changed: 'REQUEST_TIMEOUT_MS, PRICING_API_KEY' });

    // The restart reads the edit: a 50 ms timeout against a 60–100 ms pricing service.
    await h.update({ reloadStrategy: 'reload', dotenv: shortTimeout });
    const after = await drive(h, h.lab, 2_500);
    expect(after.filter((r) => r.route === 'GET /quote').every((r) => r.outcome === 'timeout' && r.status === 504)).toBe(true);
    expect(h.violations).toEqual([]);
    await h.lab.dispose();
  });

  it('keeps its settings when a read finds the .env file empty (the config fault)', async () => {
    const h = await startLab();
    h.setFault('config', 'exception');
    const results = await drive(h, h.lab, 3_000);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    // Every read is refused the same way: reported once, not every second.
    expect(eventsOf(h.events, 'settings.reload').filter((e) => e.outcome === 'rejected').length).toBe(1);
    expect(eventsOf(h.events, 'settings.invalid').some((e) => e.variable === 'PRICING_URL' && e.source === 'missing')).toBe(true);
    expect(h.violations).toEqual([]);
    await h.lab.dispose();
  });

  it('calls where PRICING_URL says, with a pool of POOL_SIZE', async () => {
    const h = await startLab({ dotenv: DEFAULT_DOTENV.replace('https://pricing.internal/v2', 'https://pricing.internal/v1') });
    const results = await drive(h, h.lab, 1_000);
    expect(results.filter((r) => r.route === 'GET /quote').every((r) => r.status === 502 && r.error!.includes('404'))).toBe(true);
    await h.update({ dotenv: DEFAULT_DOTENV.replace('POOL_SIZE=4', 'POOL_SIZE=1') });
    const resizedAt = h.clock.now();
    h.setFault('pricing', { status: 200, body: { priceCents: 1 }, latencyMs: 400 });
    const queued = await drive(h, h.lab, 3_000);
    // One connection held 400 ms a call serves 2.5 quotes a second of the 18 sent: the others wait, then time out.
    expect(queued.filter((r) => r.outcome === 'timeout').length).toBeGreaterThan(20);
    const pool = eventsOf(h.events, 'settings.pool').filter((e) => e.t > resizedAt);
    expect(Math.max(...pool.map((e) => e.inUse))).toBe(1);
    expect(Math.max(...pool.map((e) => e.waiting))).toBeGreaterThan(3);
    expect(h.violations).toEqual([]);
    await h.lab.dispose();
  });

  it('logs debug lines per quote when LOG_LEVEL is debug', async () => {
    const h = await startLab({ dotenv: DEFAULT_DOTENV.replace('LOG_LEVEL=info', 'LOG_LEVEL=debug') });
    await drive(h, h.lab, 500);
    expect(eventsOf(h.events, 'log').filter((e) => e.level === 'debug').length).toBeGreaterThan(5);
    await h.lab.dispose();
  });
});
