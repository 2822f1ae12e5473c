/**
 * The background-jobs lab on its second engine: a workbench started with
 * `--redis` (here, on a redis-server of the test's own) offers BullMQ as the
 * lab's queue engine; the lab runs on it, a killed worker's jobs are taken
 * back from Redis, and the run's queue is removed from Redis when it stops.
 * A workbench started without Redis offers the option greyed, saying how to
 * get it, and refuses it; one started with a Redis that does not answer does
 * not start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParamSpec, PatternManifest, TelemetryEvent } from '../../patterns/kit/index.ts';
import { startWorkbench } from '../../server/app.ts';
import { redisServerPath, startRedis, type RedisServer } from '../support/redis.ts';
import { is, SLOW, startTestWorkbench, TOKEN, waitUntil, type TestWorkbench } from './helpers.ts';

const PATTERN = 'background-jobs';

const engineParam = async (bench: TestWorkbench): Promise<Extract<ParamSpec, { type: 'enum' }>> => {
  const res = await bench.api<PatternManifest>('GET', `/api/patterns/${PATTERN}`);
  expect(res.status).toBe(200);
  const param = res.body.labs[0]!.params.find((p) => p.id === 'engine');
  if (param?.type !== 'enum') throw new Error('the jobs lab declares no engine option');
  return param;
};

const startJobsRun = async (bench: TestWorkbench): Promise<string> => {
  const res = await bench.api('POST', '/api/runs', { patternId: PATTERN, lab: 'jobs' });
  if (res.status !== 201) throw new Error(`POST /api/runs answered ${res.status}: ${res.text}`);
  return (res.body as { runId: string }).runId;
};

describe('without --redis', () => {
  let bench: TestWorkbench;
  beforeAll(async () => {
    bench = await startTestWorkbench();
  }, SLOW);
  afterAll(() => bench?.close(), SLOW);

  it('offers BullMQ as unavailable, saying how to get it, and refuses it with that reason', async () => {
    const param = await engineParam(bench);
    expect(param.default).toBe('sqlite');
    expect(param.options.find((o) => o.value === 'sqlite')?.unavailable).toBeUndefined();
    expect(param.options.find((o) => o.value === 'bullmq')?.unavailable).toMatch(/start the workbench with --redis redis:\/\/127\.0\.0\.1:6379 \(or set WORKBENCH_REDIS\)/);

    const runId = await startJobsRun(bench);
    try {
      const refused = await bench.api('PUT', `/api/runs/${runId}/params`, { engine: 'bullmq' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('BullMQ on Redis needs Redis: start the workbench with --redis');
      // Nothing changed: the run goes on with its SQLite queue.
      const info = await bench.api('GET', `/api/runs/${runId}`);
      expect(info.body.params.engine).toBe('sqlite');
      expect(info.body.state).toBe('running');
    } finally {
      await bench.stopRun(runId);
    }
  }, SLOW);
});

describe('a Redis that does not answer', () => {
  it('stops the workbench from starting, saying where it looked and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-redis-'));
    try {
      const started = startWorkbench({ port: 0, dbPath: join(dir, 'wb.db'), token: TOKEN, log: pino({ level: 'silent' }), redis: 'redis://127.0.0.1:1' });
      await expect(started).rejects.toThrow(/^--redis: nothing answered at redis:\/\/127\.0\.0\.1:1 \(.*\)\. Start redis-server there, or leave --redis out/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!redisServerPath)('with --redis', () => {
  let redis: RedisServer;
  let bench: TestWorkbench;
  const keysOf = async (runId: string): Promise<string[]> => {
    const client = new Redis(redis.url);
    try {
      return await client.keys(`bull:workbench-${runId}-*`);
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    redis = await startRedis();
    bench = await startTestWorkbench({ redis: redis.url });
  }, SLOW);
  afterAll(async () => {
    await bench?.close();
    await redis?.stop();
  }, SLOW);

  it(
    'runs the jobs lab on BullMQ: jobs complete, a killed worker’s jobs come back from Redis, none is lost; stopping removes the queue',
    async () => {
      expect((await engineParam(bench)).options.every((o) => o.unavailable === undefined)).toBe(true);
      const runId = await startJobsRun(bench);
      const feed = bench.feed(runId);
      // Marked before the switch: the lab's first events on BullMQ may be recorded before the PUT answers.
      const after = await feed.mark();
      // A short lease, so a killed worker's jobs come back within the test.
      const switched = await bench.api('PUT', `/api/runs/${runId}/params`, { engine: 'bullmq', leaseMs: 1_000 });
      expect(switched.status, switched.text).toBe(200);
      const { index: onBullMq } = await feed.waitFor(
        is('background-jobs.engine', (e) => e.engine === 'bullmq' && e.description === `BullMQ on ${redis.url}`),
        { after, what: 'the lab on BullMQ' },
      );
      await feed.waitFor(is('log', (e) => e.msg.startsWith(`on BullMQ on ${redis.url}:`)), { after, what: 'the lab saying it runs on BullMQ' });
      // Counted from Redis: the queue on BullMQ starts empty.
      await feed.waitFor(is('background-jobs.counts', (e) => e.completed >= 10), { after: onBullMq, what: '10 jobs completed on BullMQ', timeoutMs: 20_000 });
      expect((await keysOf(runId)).length).toBeGreaterThan(0);

      // Kill workers mid-job: their jobs stay active in Redis until the lease lapses, then run again.
      const crash = await bench.api('PUT', `/api/runs/${runId}/faults/worker-crash`, { errorRate: 0.3 });
      expect(crash.status, crash.text).toBe(200);
      await feed.waitFor(is('background-jobs.job', (e) => e.lostBy !== undefined), {
        after: onBullMq,
        what: 'a killed worker’s job taken back',
        timeoutMs: 20_000,
      });
      await bench.api('PUT', `/api/runs/${runId}/faults/worker-crash`, { enabled: false });
      // Past a check that has had time to judge every job taken back (two leases and a check).
      const settledFrom = await feed.mark();
      await waitUntil(async () => (await feed.mark()) > settledFrom && feed.seen.slice(settledFrom).filter(is('background-jobs.counts')).length >= 4, {
        timeoutMs: 20_000,
        what: 'four more checks',
      });
      const broken = feed.seen.slice(after).filter((e: TelemetryEvent) => e.type === 'invariant.violated');
      expect(broken).toEqual([]);
      const errors = feed.seen.slice(after).filter(is('background-jobs.queue-error'));
      expect(errors.map((e) => e.error)).toEqual([]);

      // A restart on BullMQ: the old instance's requests wait on broker answers while the params
      // change is being handled, so those answers must not queue behind it (they would wait for
      // the drain bound, 10 s, and the change with them).
      const startedAt = performance.now();
      const restarted = await bench.api('PUT', `/api/runs/${runId}/params`, { workers: 4 });
      expect(restarted.status, restarted.text).toBe(200);
      expect(performance.now() - startedAt).toBeLessThan(5_000);

      await bench.stopRun(runId);
      await waitUntil(async () => (await keysOf(runId)).length === 0 || undefined, { what: "the run's queue gone from Redis" });
    },
    SLOW,
  );
});
