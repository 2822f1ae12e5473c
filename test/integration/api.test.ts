/**
 * The HTTP API against a real workbench: patterns, runs and their controls
 * (faults, load, params), recorded events, and bad input answered with a
 * 400 or 404 that names the field, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec, LoadProfile, TelemetryEvent } from '../../patterns/kit/index.ts';
import { BREAKER_FILE, is, PATTERN, SLOW, startTestWorkbench, type TestWorkbench } from './helpers.ts';

let tw: TestWorkbench;
/** One run shared by the control tests; started once, it serves at the lab's default 20 requests/s. */
let runId: string;

beforeAll(async () => {
  tw = await startTestWorkbench();
  runId = await tw.startRun();
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

describe('patterns', () => {
  it('GET /api/patterns lists the circuit breaker with its live runs', async () => {
    const res = await tw.api('GET', '/api/patterns');
    expect(res.status).toBe(200);
    const entry = (res.body as Array<Record<string, unknown>>).find((p) => p.id === PATTERN);
    expect(entry).toMatchObject({ id: PATTERN, title: 'Circuit breaker', category: 'resilience' });
    expect(typeof entry!.summary).toBe('string');
    expect(entry!.liveRuns).toContain(runId);
  });

  it('GET /api/patterns/:id gives docs, editable files and labs with fault points and params', async () => {
    const res = await tw.api('GET', `/api/patterns/${PATTERN}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(typeof body.docs).toBe('string');
    expect(body.files).toEqual([
      { name: 'circuit-breaker.ts', version: 0, goodVersion: 0, modified: false },
      { name: 'breakers.ts', version: 0, goodVersion: 0, modified: false },
    ]);
    const lab = body.labs.find((l: { id: string }) => l.id === 'payments');
    expect(lab.module).toBe('lab.ts');
    expect(lab.faultPoints).toEqual([expect.objectContaining({ id: 'payments', kind: 'http' })]);
    const paramIds = lab.params.map((p: { id: string }) => p.id);
    expect(paramIds).toEqual(expect.arrayContaining(['policy', 'resetTimeoutMs', 'callTimeoutMs']));
    expect(lab.params.find((p: { id: string }) => p.id === 'resetTimeoutMs')).toMatchObject({ type: 'integer', min: 1000 });
    expect(lab.defaultLoad).toEqual({ model: 'open', rate: 20 });
  });

  it('GET a file gives its content and version; the reference is the shipped file', async () => {
    const file = await tw.api('GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`);
    expect(file.status).toBe(200);
    expect(file.body).toMatchObject({ patternId: PATTERN, file: BREAKER_FILE, version: 0, goodVersion: 0, error: null });
    expect(file.body.content).toContain('export class CircuitBreaker');
    expect(await tw.reference(BREAKER_FILE)).toBe(file.body.content);
  });
});

describe('a run', { timeout: SLOW }, () => {
  it('POST /api/runs answers 201 with a runId; GET /api/runs/:id shows it running with its settings', async () => {
    const res = await tw.api('GET', `/api/runs/${runId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: runId,
      patternId: PATTERN,
      lab: 'payments',
      state: 'running',
      live: true,
      params: { policy: 'consecutive', resetTimeoutMs: 5000, callTimeoutMs: 1000 },
      load: { model: 'open', rate: 20 },
      versions: { 'circuit-breaker.ts': 0, 'breakers.ts': 0 },
    });
    expect(res.body.faults.payments).toMatchObject({ enabled: false, errorRate: 0 });
    const list = await tw.api('GET', `/api/runs?patternId=${PATTERN}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: runId, live: true, status: 'running' })]));
  });

  it('GET /api/runs/:id/events returns the recorded events in order, from a cursor', async () => {
    const feed = tw.feed(runId);
    await feed.waitFor(is('request', (e) => e.direction === 'inbound'), { what: 'an inbound request' });
    const first = await tw.api('GET', `/api/runs/${runId}/events?limit=3`);
    expect(first.status).toBe(200);
    const events = first.body.events as TelemetryEvent[];
    expect(events).toHaveLength(3);
    expect(first.body.lastSeq).toBe(2);
    for (const event of events) expect(event.runId).toBe(runId);
    const next = await tw.api('GET', `/api/runs/${runId}/events?after=2&limit=2`);
    expect(next.body.lastSeq).toBe(4);
    const all = await tw.api('GET', `/api/runs/${runId}/events?limit=5`);
    expect(all.body.events).toEqual([...events, ...next.body.events]);
    expect(feed.seen.find((e) => e.type === 'run.started')).toMatchObject({ patternId: PATTERN, lab: 'payments' });
  });

  it('PUT faults applies the spec at once and marks it with fault.changed', async () => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    const res = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1, error: { kind: 'status', status: 502 } });
    expect(res.status).toBe(200);
    expect(res.body.spec).toMatchObject({ enabled: true, errorRate: 1, error: { kind: 'status', status: 502 } });
    const changed = await feed.waitFor(is('fault.changed', (e) => e.point === 'payments' && e.spec.errorRate === 1), {
      after,
      what: 'fault.changed',
    });
    // The very next payments calls fail with the injected status.
    const injected = await feed.waitFor(is('fault.injected', (e) => e.point === 'payments' && e.status === 502), {
      after: changed.index,
      what: 'an injected 502',
    });
    const failed = await feed.waitFor(is('request', (e) => e.direction === 'outbound' && e.status === 502), {
      after: changed.index,
      what: 'an outbound 502',
    });
    expect(injected.event.t).toBeGreaterThanOrEqual(changed.event.t);
    expect(failed.event.outcome).toBe('error');
    expect((await tw.api('GET', `/api/runs/${runId}`)).body.faults.payments).toMatchObject<Partial<FaultSpec>>({ errorRate: 1 });

    // Healthy again: the spec is replaced, not merged.
    const healed = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false });
    expect(healed.status).toBe(200);
    const cleared = await feed.waitFor(is('fault.changed', (e) => !e.spec.enabled), { after: changed.index + 1, what: 'the fault cleared' });
    await feed.waitFor(is('request', (e) => e.direction === 'outbound' && e.outcome === 'ok'), {
      after: cleared.index,
      what: 'a healthy payments call',
    });
  });

  it('PUT load applies a profile and marks it with load.changed', async () => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    const profile: LoadProfile = { model: 'closed', concurrency: 2, thinkTimeMs: 20 };
    const res = await tw.api('PUT', `/api/runs/${runId}/load`, profile);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ profile });
    await feed.waitFor(is('load.changed', (e) => e.profile.model === 'closed'), { after, what: 'load.changed' });
    expect((await tw.api('GET', `/api/runs/${runId}`)).body.load).toEqual(profile);
    const back = await tw.api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: 20 });
    expect(back.status).toBe(200);
  });

  it('PUT params validates, applies and marks the change with params.changed', async () => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    const res = await tw.api('PUT', `/api/runs/${runId}/params`, { resetTimeoutMs: 2000, policy: 'failure-rate' });
    expect(res.status).toBe(200);
    expect(res.body.params).toMatchObject({ resetTimeoutMs: 2000, policy: 'failure-rate', callTimeoutMs: 1000 });
    const changed = await feed.waitFor(is('params.changed', (e) => e.params.resetTimeoutMs === 2000), { after, what: 'params.changed' });
    expect(changed.event.params).toMatchObject({ policy: 'failure-rate', callTimeoutMs: 1000 });
    // The lab restarted with the new policy and goes on serving.
    await feed.waitFor(is('log', (e) => e.msg.includes('failure-rate policy')), { after, what: 'the lab restarted' });
    await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after: changed.index, what: 'a request' });
    expect((await tw.api('GET', `/api/runs/${runId}`)).body.params).toMatchObject({ resetTimeoutMs: 2000 });
  });
});

describe('stopping a run', { timeout: SLOW }, () => {
  it('DELETE stops it: run.stopped is recorded and controls answer 409', async () => {
    const id = await tw.startRun();
    const res = await tw.api('DELETE', `/api/runs/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ runId: id, state: 'stopped' });
    const info = await tw.api('GET', `/api/runs/${id}`);
    expect(info.body).toMatchObject({ id, state: 'stopped', live: false });
    const stopped = await tw.waitForEvent(id, is('run.stopped'), { what: 'run.stopped' });
    expect(stopped.reason).toBe('user');
    const feed = tw.feed(id);
    // Nothing is recorded after the stop.
    expect(feed.seen.at(-1)?.type).toBe('run.stopped');
    const fault = await tw.api('PUT', `/api/runs/${id}/faults/payments`, { errorRate: 1 });
    expect(fault.status).toBe(409);
    expect((await tw.api('DELETE', `/api/runs/${id}`)).status).toBe(200);
    const patterns = await tw.api('GET', '/api/patterns');
    expect(patterns.body.find((p: { id: string }) => p.id === PATTERN).liveRuns).not.toContain(id);
    const record = (await tw.api('GET', '/api/runs')).body.find((r: { id: string }) => r.id === id);
    expect(record).toMatchObject({ status: 'stopped', live: false });
  });
});

describe('bad input answers 400 or 404 naming the field, never 500', () => {
  // [what, method, path (RUN is the live run), body, expected status, text the message must contain]
  const cases: Array<[string, string, string, unknown, number, string | RegExp]> = [
    ['errorRate 2', 'PUT', '/api/runs/RUN/faults/payments', { errorRate: 2 }, 400, 'errorRate'],
    ['negative errorRate', 'PUT', '/api/runs/RUN/faults/payments', { errorRate: -0.1 }, 400, 'errorRate'],
    ['negative latency', 'PUT', '/api/runs/RUN/faults/payments', { latency: { baseMs: -5, jitterMs: 0, rate: 1 } }, 400, 'latency.baseMs'],
    ['an unknown fault error kind', 'PUT', '/api/runs/RUN/faults/payments', { error: { kind: 'meteor' } }, 400, 'error'],
    ['an unknown fault field', 'PUT', '/api/runs/RUN/faults/payments', { errorRat: 1 }, 400, 'errorRat'],
    ['an unknown fault point', 'PUT', '/api/runs/RUN/faults/database', { errorRate: 1 }, 404, /point: 'database'/],
    ['faults on an unknown run', 'PUT', '/api/runs/nope/faults/payments', { errorRate: 1 }, 404, "run 'nope'"],
    ['an unknown pattern', 'POST', '/api/runs', { patternId: 'no-such-pattern' }, 404, "pattern 'no-such-pattern'"],
    ['a missing patternId', 'POST', '/api/runs', {}, 400, 'patternId'],
    ['a patternId of the wrong type', 'POST', '/api/runs', { patternId: 42 }, 400, 'patternId'],
    ['an unknown lab', 'POST', '/api/runs', { patternId: PATTERN, lab: 'kitchen' }, 404, /lab: 'kitchen'/],
    ['a bad load model', 'PUT', '/api/runs/RUN/load', { model: 'tsunami', rate: 5 }, 400, 'model'],
    ['a negative load rate', 'PUT', '/api/runs/RUN/load', { model: 'open', rate: -1 }, 400, 'rate'],
    ['a closed load without concurrency', 'PUT', '/api/runs/RUN/load', { model: 'closed' }, 400, 'concurrency'],
    ['a param out of range', 'PUT', '/api/runs/RUN/params', { resetTimeoutMs: 10 }, 400, 'resetTimeoutMs'],
    ['a param above its range', 'PUT', '/api/runs/RUN/params', { callTimeoutMs: 999_999 }, 400, 'callTimeoutMs'],
    ['a param of the wrong type', 'PUT', '/api/runs/RUN/params', { resetTimeoutMs: 'soon' }, 400, 'resetTimeoutMs'],
    ['a non-integer integer param', 'PUT', '/api/runs/RUN/params', { resetTimeoutMs: 1500.5 }, 400, 'resetTimeoutMs'],
    ['an unknown enum value', 'PUT', '/api/runs/RUN/params', { policy: 'vibes' }, 400, 'policy'],
    ['an unknown param', 'PUT', '/api/runs/RUN/params', { bogus: 1 }, 400, 'bogus'],
    ['an unknown file', 'GET', `/api/patterns/${PATTERN}/files/lab.ts`, undefined, 404, 'lab.ts'],
    ['saving an unknown file', 'PUT', `/api/patterns/${PATTERN}/files/secrets.ts`, { content: 'x' }, 404, 'secrets.ts'],
    ['a path outside the pattern', 'GET', `/api/patterns/${PATTERN}/files/..%2F..%2Fpackage.json`, undefined, 404, 'package.json'],
    ['a save without content', 'PUT', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, { text: 'x' }, 400, 'content'],
    ['an unknown pattern (GET)', 'GET', '/api/patterns/no-such-pattern', undefined, 404, "pattern 'no-such-pattern'"],
    ['files of an unknown pattern', 'GET', '/api/patterns/no-such-pattern/files/x.ts', undefined, 404, "pattern 'no-such-pattern'"],
    ['an unknown version', 'GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/versions/99`, undefined, 404, 'version 99'],
    ['a version that is not a number', 'GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/versions/abc`, undefined, 400, 'version'],
    ['restoring an unknown version', 'POST', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/restore`, { version: 99 }, 404, 'version 99'],
    ['restoring version 0', 'POST', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/restore`, { version: 0 }, 400, 'version'],
    ['an unknown run', 'GET', '/api/runs/nope', undefined, 404, "run 'nope'"],
    ['stopping an unknown run', 'DELETE', '/api/runs/nope', undefined, 404, "run 'nope'"],
    ['events of an unknown run', 'GET', '/api/runs/nope/events', undefined, 404, "run 'nope'"],
    ['a bad events cursor', 'GET', '/api/runs/RUN/events?after=abc', undefined, 400, 'after'],
    ['a bad events limit', 'GET', '/api/runs/RUN/events?limit=0', undefined, 400, 'limit'],
    ['an unknown API route', 'GET', '/api/nothing-here', undefined, 404, '/api/nothing-here'],
  ];

  it.each(cases)('%s → %s', async (_what, method, path, body, status, text) => {
    const res = await tw.api(method, path.replace('RUN', runId), body);
    expect(res.status, res.text).toBe(status);
    expect(res.body.error.status).toBe(status);
    expect(res.body.error.message).toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
  });

  // The messages the lab shows: the form's words and units after the field's path.
  it.each([
    ['PUT', '/api/runs/RUN/faults/payments', { latency: { baseMs: -5, jitterMs: 0, rate: 1 } }, 'latency.baseMs: Latency must be at least 0 ms'],
    ['PUT', '/api/runs/RUN/faults/payments', { errorRate: 2 }, 'errorRate: Error rate must be from 0 to 100 %'],
    ['PUT', '/api/runs/RUN/load', { model: 'open', rate: -1 }, 'rate: Rate must be at least 0 req/s'],
    ['PUT', '/api/runs/RUN/params', { resetTimeoutMs: 10 }, 'resetTimeoutMs: Reset timeout must be from'],
  ])('%s %s %j → 400 “%s”', async (method, path, body, text) => {
    const res = await tw.api(method, path.replace('RUN', runId), body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toContain(text);
  });

  it('a malformed JSON body → 400 naming the body', async () => {
    for (const path of [`/api/runs/${runId}/faults/payments`, '/api/runs', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`]) {
      const res = await tw.api(path === '/api/runs' ? 'POST' : 'PUT', path, undefined, { rawBody: '{"errorRate": ' });
      expect(res.status, path).toBe(400);
      expect(res.body.error.message).toMatch(/^body: not valid JSON/);
    }
  });

  it('a body that is not JSON at all → 400, not 500', async () => {
    const res = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, undefined, {
      rawBody: 'errorRate=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body/);
  });

  it('a malformed %-escape in the path → 400 naming the path (not "body")', async () => {
    const res = await tw.api('GET', '/api/runs/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^path: .*%E0%A4%A/);
  });

  it('an unsupported charset or content encoding → 415, an oversized body → 413: client errors, not 500', async () => {
    const body = JSON.stringify({ patternId: PATTERN });
    const charset = await tw.api('POST', '/api/runs', undefined, {
      rawBody: body,
      headers: { 'content-type': 'application/json; charset=latin9' },
    });
    expect(charset.status).toBe(415);
    expect(charset.body.error.message).toMatch(/^body: .*charset/);
    const encoding = await tw.api('POST', '/api/runs', undefined, { rawBody: body, headers: { 'content-encoding': 'bogus' } });
    expect(encoding.status).toBe(415);
    expect(encoding.body.error.message).toMatch(/^body: .*encoding/);
    const huge = await tw.api('PUT', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, { content: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toMatch(/^body/);
  });

  it('the run is unharmed by all that', async () => {
    const res = await tw.api('GET', `/api/runs/${runId}`);
    expect(res.body).toMatchObject({ state: 'running', live: true });
    expect(res.body.faults.payments.errorRate).toBe(0);
  });
});
