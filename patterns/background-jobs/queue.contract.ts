/**
 * The contract every job queue keeps (the kit's `JobQueue`), as one test
 * suite: `queue.test.ts` runs it against the SQLite queue on a VirtualClock,
 * and a queue on BullMQ and Redis runs the same suite on real time, so the
 * two engines cannot drift apart. (Test code: the implementation never
 * imports it.)
 *
 * Time is only read and passed through the subject (`now`, `wait`), and the
 * durations are short, so a real-clock engine runs it as it is: on a
 * VirtualClock `wait` advances the clock; on real time it sleeps.
 */
import { describe, expect, it } from 'vitest';
import { isLeaseLostError, JOB_STATES, type JobQueue, LeaseLostError } from '../kit/index.ts';

/** One fresh, empty queue, and its time. */
export interface QueueSubject {
  queue: JobQueue;
  /** The queue's clock, epoch ms (what its `runAt` and `expiresAt` are read against). */
  now(): number;
  /** Lets `ms` of the queue's time pass. */
  wait(ms: number): Promise<void>;
}

/** Short enough for a real clock, long enough for a slow round trip to Redis. */
const LEASE_MS = 300;
/** Slack allowed on real time between reading the clock and the queue doing so. */
const SLACK_MS = 100;

export function queueContract(name: string, makeSubject: () => Promise<QueueSubject>): void {
  describe(`${name}: the job queue contract`, () => {
    it('enqueues at once and returns an id; the job waits, queued, with its data, on its first attempt', async () => {
      const { queue, now } = await makeSubject();
      const before = now();
      const enqueued = await queue.enqueue('send-receipt', { orderId: 7, items: ['tea'] });
      expect(enqueued).toEqual({ id: expect.any(String), created: true, state: 'queued' });
      const job = await queue.get(enqueued.id);
      expect(job).toMatchObject({
        id: enqueued.id,
        name: 'send-receipt',
        data: { orderId: 7, items: ['tea'] },
        state: 'queued',
        priority: 0,
        attemptsMade: 0,
        maxAttempts: 3,
      });
      expect(job!.createdAt).toBeGreaterThanOrEqual(before);
      expect(job!.runAt).toBeLessThanOrEqual(now());
      expect(await queue.get('no-such-job')).toBeUndefined();
    });

    it('gives each job an id of its own', async () => {
      const { queue } = await makeSubject();
      const ids = await Promise.all([1, 2, 3, 4].map((n) => queue.enqueue('work', { n })));
      expect(new Set(ids.map((e) => e.id)).size).toBe(4);
    });

    it('treats the key as the job id: enqueueing it again, even at once, creates nothing and returns the job', async () => {
      const { queue } = await makeSubject();
      const first = await queue.enqueue('charge', { amount: 5 }, { key: 'order-7' });
      expect(first).toEqual({ id: 'order-7', created: true, state: 'queued' });
      const again = await queue.enqueue('charge', { amount: 500 }, { key: 'order-7' });
      expect(again).toEqual({ id: 'order-7', created: false, state: 'queued' });
      expect((await queue.get('order-7'))!.data).toEqual({ amount: 5 });

      const racing = await Promise.all([1, 2, 3].map(() => queue.enqueue('charge', { amount: 9 }, { key: 'order-8' })));
      expect(racing.filter((e) => e.created)).toHaveLength(1);
      expect((await queue.counts()).queued).toBe(2);
    });

    it('keeps returning a finished job for its key: a retried enqueue never runs the work twice', async () => {
      const { queue } = await makeSubject();
      await queue.enqueue('charge', { amount: 5 }, { key: 'order-9' });
      const claimed = await queue.claim('w1', LEASE_MS);
      await queue.complete(claimed!.lease, { charged: true });
      expect(await queue.enqueue('charge', { amount: 5 }, { key: 'order-9' })).toEqual({ id: 'order-9', created: false, state: 'completed' });
      expect(await queue.claim('w1', LEASE_MS)).toBeUndefined();
    });

    it('refuses bad input with a clear error', async () => {
      const { queue } = await makeSubject();
      await expect(queue.enqueue('', {})).rejects.toThrow(/name/);
      await expect(queue.enqueue('work', {}, { key: '123' })).rejects.toThrow(/key/);
      await expect(queue.enqueue('work', {}, { key: '' })).rejects.toThrow(/key/);
      // BullMQ refuses a custom id with a colon (its Redis keys are built with them): so does every engine.
      await expect(queue.enqueue('work', {}, { key: 'a:b' })).rejects.toThrow(/key/);
      await expect(queue.enqueue('work', {}, { attempts: 0 })).rejects.toThrow(/attempts/);
      await expect(queue.enqueue('work', {}, { priority: -1 })).rejects.toThrow(/priority/);
      await expect(queue.enqueue('work', {}, { priority: 1.5 })).rejects.toThrow(/priority/);
      await expect(queue.enqueue('work', {}, { delayMs: -5 })).rejects.toThrow(/delay/);
      await expect(queue.claim('w1', 0)).rejects.toThrow(/lease/);
      expect(await queue.counts()).toEqual(Object.fromEntries(JOB_STATES.map((s) => [s, 0])));
    });

    it('leases a claimed job to one worker: active, attempt 1, a token, an expiry; nobody else gets it', async () => {
      const { queue, now } = await makeSubject();
      const { id } = await queue.enqueue('work', { n: 1 });
      const before = now();
      const claimed = await queue.claim('w1', LEASE_MS);
      expect(claimed).toBeDefined();
      expect(claimed!.job).toMatchObject({ id, state: 'active', attemptsMade: 1, workerId: 'w1', data: { n: 1 } });
      expect(claimed!.lease).toMatchObject({ jobId: id, token: expect.any(String), workerId: 'w1', attempt: 1 });
      expect(claimed!.lease.expiresAt).toBeGreaterThanOrEqual(before + LEASE_MS);
      expect(claimed!.lease.expiresAt).toBeLessThanOrEqual(now() + LEASE_MS + SLACK_MS);
      expect(await queue.claim('w2', LEASE_MS)).toBeUndefined();
      expect((await queue.get(id))!.state).toBe('active');
    });

    it('hands concurrent claims different jobs', async () => {
      const { queue } = await makeSubject();
      for (const n of [1, 2, 3]) await queue.enqueue('work', { n });
      const claims = await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5'].map((w) => queue.claim(w, LEASE_MS)));
      const got = claims.flatMap((c) => (c ? [c.job.id] : []));
      expect(got).toHaveLength(3);
      expect(new Set(got).size).toBe(3);
    });

    it('claims the smallest priority first, and jobs of one priority in the order enqueued', async () => {
      const { queue } = await makeSubject();
      const low = await queue.enqueue('work', { n: 'low' }, { priority: 10 });
      const first = await queue.enqueue('work', { n: 'first' });
      const high = await queue.enqueue('work', { n: 'high' }, { priority: 1 });
      const second = await queue.enqueue('work', { n: 'second' });
      const order: string[] = [];
      for (let i = 0; i < 4; i++) order.push((await queue.claim('w1', LEASE_MS))!.job.id);
      expect(order).toEqual([first.id, second.id, high.id, low.id]);
    });

    it('holds a delayed job back until its time', async () => {
      const { queue, wait, now } = await makeSubject();
      const before = now();
      const { id } = await queue.enqueue('work', {}, { delayMs: 2 * LEASE_MS });
      const job = await queue.get(id);
      expect(job!.state).toBe('queued');
      expect(job!.runAt).toBeGreaterThanOrEqual(before + 2 * LEASE_MS);
      expect(await queue.claim('w1', LEASE_MS)).toBeUndefined();
      await wait(2 * LEASE_MS + SLACK_MS);
      expect((await queue.claim('w1', LEASE_MS))?.job.id).toBe(id);
    });

    it('completes a job with its result, once: the same lease is refused after', async () => {
      const { queue, now } = await makeSubject();
      const { id } = await queue.enqueue('work', {});
      const { lease } = (await queue.claim('w1', LEASE_MS))!;
      await queue.complete(lease, { sent: 2 });
      const job = await queue.get(id);
      expect(job).toMatchObject({ state: 'completed', result: { sent: 2 }, attemptsMade: 1 });
      expect(job!.finishedAt).toBeLessThanOrEqual(now());
      expect(job!.workerId).toBeUndefined();
      await expect(queue.complete(lease)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(queue.fail(lease, { error: 'late', retryInMs: 0 })).rejects.toBeInstanceOf(LeaseLostError);
      expect(await queue.counts()).toMatchObject({ completed: 1, active: 0 });
    });

    it('completes a job given no result with no result: `result` is absent, not null', async () => {
      const { queue } = await makeSubject();
      const { id } = await queue.enqueue('work', {});
      const { lease } = (await queue.claim('w1', LEASE_MS))!;
      await queue.complete(lease);
      const job = await queue.get(id);
      expect(job).toMatchObject({ state: 'completed' });
      expect(job).not.toHaveProperty('result');
    });

    it('retries at once a failed attempt whose delay is 0: its runAt is no later than now, and no earlier than its creation', async () => {
      const { queue, now } = await makeSubject();
      const { id } = await queue.enqueue('work', {});
      const { lease } = (await queue.claim('w1', LEASE_MS))!;
      await queue.fail(lease, { error: 'flaky', retryInMs: 0 });
      const job = (await queue.get(id))!;
      expect(job.state).toBe('retrying');
      expect(job.runAt).toBeLessThanOrEqual(now());
      expect(job.runAt).toBeGreaterThanOrEqual(job.createdAt);
      expect((await queue.claim('w2', LEASE_MS))?.lease).toMatchObject({ jobId: id, attempt: 2 });
    });

    it('retries a failed attempt after the delay the caller chose, then lets it die after the last attempt', async () => {
      const { queue, wait, now } = await makeSubject();
      const { id } = await queue.enqueue('work', {}, { attempts: 2 });
      const first = (await queue.claim('w1', LEASE_MS))!;
      const before = now();
      const outcome = await queue.fail(first.lease, { error: 'smtp timeout', retryInMs: 2 * LEASE_MS });
      expect(outcome).toEqual({ state: 'retrying', runAt: expect.any(Number) });
      expect((outcome as { runAt: number }).runAt).toBeGreaterThanOrEqual(before + 2 * LEASE_MS);
      expect(await queue.get(id)).toMatchObject({ state: 'retrying', lastError: 'smtp timeout', attemptsMade: 1 });
      expect(await queue.claim('w1', LEASE_MS)).toBeUndefined();

      await wait(2 * LEASE_MS + SLACK_MS);
      const second = (await queue.claim('w2', LEASE_MS))!;
      expect(second.lease).toMatchObject({ jobId: id, attempt: 2, workerId: 'w2' });
      expect(second.lease.token).not.toBe(first.lease.token);
      expect(await queue.fail(second.lease, { error: 'smtp refused', retryInMs: 10 })).toEqual({ state: 'dead' });
      const dead = await queue.get(id);
      expect(dead).toMatchObject({ state: 'dead', lastError: 'smtp refused', attemptsMade: 2 });
      expect(dead!.finishedAt).toBeDefined();
      expect(await queue.counts()).toMatchObject({ dead: 1, retrying: 0, active: 0 });
    });

    it('extends a lease that holds; refuses to extend one that has lapsed', async () => {
      const { queue, wait } = await makeSubject();
      await queue.enqueue('work', {});
      const { lease } = (await queue.claim('w1', LEASE_MS))!;
      await wait(LEASE_MS / 2);
      const extended = await queue.extend(lease, 2 * LEASE_MS);
      expect(extended.token).toBe(lease.token);
      expect(extended.expiresAt).toBeGreaterThan(lease.expiresAt);
      // Past the first expiry, the extended lease still holds.
      await wait(LEASE_MS);
      expect(await queue.recoverExpired()).toEqual([]);
      await queue.complete(extended);

      await queue.enqueue('work', {});
      const other = (await queue.claim('w1', LEASE_MS))!;
      await wait(LEASE_MS + SLACK_MS);
      await expect(queue.extend(other.lease, LEASE_MS)).rejects.toSatisfy(isLeaseLostError);
    });

    it('takes a job back from a worker whose lease expired: another worker finishes it, and the first is refused', async () => {
      const { queue, wait } = await makeSubject();
      const { id } = await queue.enqueue('work', {});
      const dying = (await queue.claim('w1', LEASE_MS))!;
      // While the lease holds, nothing is taken back.
      expect(await queue.recoverExpired()).toEqual([]);
      await wait(LEASE_MS + SLACK_MS);
      expect(await queue.recoverExpired()).toEqual([{ jobId: id, workerId: 'w1', attempt: 1, state: 'retrying' }]);
      expect(await queue.get(id)).toMatchObject({ state: 'retrying', lastError: expect.stringMatching(/lease/) });

      const rescuer = (await queue.claim('w2', LEASE_MS))!;
      expect(rescuer.lease).toMatchObject({ jobId: id, attempt: 2, workerId: 'w2' });
      // The first worker comes back to life: its lease is not the job's any more.
      await expect(queue.complete(dying.lease)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(queue.fail(dying.lease, { error: 'x', retryInMs: 0 })).rejects.toBeInstanceOf(LeaseLostError);
      await queue.complete(rescuer.lease, 'done');
      expect(await queue.get(id)).toMatchObject({ state: 'completed', result: 'done', attemptsMade: 2 });
    });

    it('lets a job die when the attempt its worker lost was the last', async () => {
      const { queue, wait } = await makeSubject();
      const { id } = await queue.enqueue('work', {}, { attempts: 1 });
      await queue.claim('w1', LEASE_MS);
      await wait(LEASE_MS + SLACK_MS);
      expect(await queue.recoverExpired()).toEqual([{ jobId: id, workerId: 'w1', attempt: 1, state: 'dead' }]);
      expect(await queue.get(id)).toMatchObject({ state: 'dead', attemptsMade: 1 });
      expect(await queue.claim('w2', LEASE_MS)).toBeUndefined();
    });

    it('counts jobs in every state', async () => {
      const { queue } = await makeSubject();
      for (const n of [1, 2, 3, 4]) await queue.enqueue('work', { n }, { attempts: 1 });
      const a = (await queue.claim('w1', LEASE_MS))!;
      const b = (await queue.claim('w1', LEASE_MS))!;
      await queue.claim('w1', LEASE_MS);
      await queue.complete(a.lease);
      await queue.fail(b.lease, { error: 'boom', retryInMs: 0 });
      expect(await queue.counts()).toEqual({ queued: 1, active: 1, retrying: 0, completed: 1, dead: 1 });
    });
  });
}
