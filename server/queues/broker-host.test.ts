/**
 * `ctx.broker`'s queues cross the run's IPC channel (messages cloned as Node's
 * 'advanced' serialization clones them) to the broker host in the server.
 * Over that channel the queue keeps the whole job queue contract, errors keep
 * their kinds, and the host refuses what a sandbox must not do: bad
 * arguments, more queues or jobs than a run may have, another run's jobs.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, isLeaseLostError } from '../../patterns/kit/index.ts';
import { queueContract } from '../../patterns/background-jobs/queue.contract.ts';
import { redisServerPath, startRedis, type RedisServer } from '../../test/support/redis.ts';
import { BrokerClient, type BrokerRequest } from './broker-channel.ts';
import { BullMqJobQueue } from './bullmq-job-queue.ts';
import { BrokerHost, MAX_IN_FLIGHT, MAX_QUEUES, redisQueueName, shownRedisUrl, sweepStaleQueues } from './broker-host.ts';

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** A client talking to `host` as the sandbox does: every message is a structured clone. */
const connect = (host: BrokerHost): BrokerClient => {
  const client: BrokerClient = new BrokerClient('BullMQ (test)', (request) => {
    const sent = structuredClone(request);
    void host.handle(sent).then((reply) => client.receive(structuredClone(reply)));
  });
  return client;
};

describe('the broker host, without Redis', () => {
  // Nothing listens on port 1: every argument below is refused before Redis would be asked.
  const host = new BrokerHost({ url: 'redis://127.0.0.1:1', runId: 'no-redis', callTimeoutMs: 300 });
  const queue = connect(host).jobQueue('jobs');
  afterAll(() => host.close());

  it("refuses a queue name that is not plain, before anything is sent", () => {
    const client = new BrokerClient('x', () => expect.unreachable('nothing is sent'));
    expect(() => client.jobQueue('Jobs:other-run')).toThrow(TypeError);
    expect(() => client.jobQueue('')).toThrow(/lowercase letters, digits and dashes/);
  });

  it('refuses job data JSON cannot hold, and data past the size bound, as TypeErrors', async () => {
    await expect(queue.enqueue('x', { when: new Date() } as never)).rejects.toThrow(TypeError);
    await expect(queue.enqueue('x', { seen: new Map() } as never)).rejects.toThrow(/what JSON can hold/);
    await expect(queue.enqueue('x', { n: Number.NaN })).rejects.toThrow(/what JSON can hold/);
    await expect(queue.enqueue('x', 'a'.repeat(70_000))).rejects.toThrow(/at most 65536/);
    await expect(queue.enqueue('x', (() => 1) as never)).rejects.toThrow(/only what JSON can hold/);
  });

  it('refuses malformed arguments of every call, naming what is wrong', async () => {
    await expect(queue.claim('worker-1', 0)).rejects.toThrow(/leaseMs must be a whole number from 1/);
    await expect(queue.claim('', 1000)).rejects.toThrow(/workerId must be a string/);
    await expect(queue.complete({ jobId: 'j' } as never)).rejects.toThrow(/lease.token/);
    await expect(queue.fail({ jobId: 'j', token: 't', workerId: 'w', attempt: 1, expiresAt: 0 }, { error: 'x', retryInMs: -1 })).rejects.toThrow(
      /retryInMs/,
    );
    const reply = await host.handle({ id: 9, queue: 'jobs', op: 'drop-everything' } as unknown as BrokerRequest);
    expect(reply).toEqual({ id: 9, ok: false, error: { kind: 'type', message: 'no queue call "drop-everything"' } });
  });

  it('fails a call with a BrokerError when Redis does not answer in time, and keeps answering', async () => {
    const error = await queue.counts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as Error).message).toBe('Redis did not answer within 0.3 s');
    await expect(queue.get('job-1')).rejects.toThrow(BrokerError);
  });

  it(`refuses a call at once when ${MAX_IN_FLIGHT} of the run's calls already wait for Redis`, async () => {
    const waiting = new BrokerHost({ url: 'redis://127.0.0.1:1', runId: 'in-flight', callTimeoutMs: 500 });
    const jobs = connect(waiting).jobQueue('jobs');
    try {
      const calls = Array.from({ length: MAX_IN_FLIGHT + 5 }, () => jobs.counts().then(() => 'answered', (e: Error) => e.message));
      const answers = await Promise.all(calls);
      expect(answers.filter((a) => a === `this run has ${MAX_IN_FLIGHT} calls waiting for Redis already: wait for their answers`)).toHaveLength(5);
      expect(answers.filter((a) => a === 'Redis did not answer within 0.5 s')).toHaveLength(MAX_IN_FLIGHT);
    } finally {
      await waiting.close();
    }
  });

  it('shows a Redis URL without its password', () => {
    expect(shownRedisUrl('redis://:s3cret@127.0.0.1:6390/2')).toBe('redis://127.0.0.1:6390/2');
  });
});

describe.skipIf(!redisServerPath)('the broker host, on Redis', () => {
  let redis: RedisServer;
  const hosts: BrokerHost[] = [];
  let next = 0;
  const newHost = (options: { maxJobs?: number; maxBytes?: number } = {}) => {
    const host = new BrokerHost({ url: redis.url, runId: `test-${process.pid}-${next++}`, ...options });
    hosts.push(host);
    return host;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  queueContract('BullMQ through the run channel', async () => ({
    queue: connect(newHost()).jobQueue('contract'),
    now: () => Date.now(),
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));

  it('carries a lost lease back as a LeaseLostError naming its job and token', async () => {
    const queue = connect(newHost()).jobQueue('jobs');
    const { id } = await queue.enqueue('work', {});
    const claimed = (await queue.claim('worker-1', 60_000))!;
    await queue.complete(claimed.lease);
    const error = await queue.complete(claimed.lease).catch((e: unknown) => e);
    expect(isLeaseLostError(error)).toBe(true);
    expect(error).toMatchObject({ jobId: id, token: claimed.lease.token });
  });

  it("keeps each run's queues apart: the same name in two runs holds two sets of jobs", async () => {
    const mine = connect(newHost()).jobQueue('jobs');
    const theirs = connect(newHost()).jobQueue('jobs');
    const { id } = await mine.enqueue('work', { secret: 1 }, { key: 'order-1' });
    expect(await theirs.get(id)).toBeUndefined();
    expect((await theirs.enqueue('work', {}, { key: 'order-1' })).created).toBe(true);
  });

  it(`opens at most ${MAX_QUEUES} queues per run`, async () => {
    const client = connect(newHost());
    for (let i = 0; i < MAX_QUEUES; i++) await client.jobQueue(`q${i}`).counts();
    await expect(client.jobQueue('one-more').counts()).rejects.toThrow(new RangeError(`a run may open ${MAX_QUEUES} queues; it has q0, q1, q2, q3`));
  });

  it('creates at most the jobs a run may, even when the enqueues come all at once; a key enqueued again costs nothing', async () => {
    const queue = connect(newHost({ maxJobs: 5 })).jobQueue('jobs');
    await queue.enqueue('work', {}, { key: 'again' });
    await queue.enqueue('work', {}, { key: 'again' });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => queue.enqueue('work', { i }).then(() => 'created', (e: Error) => e.message)));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(4);
    expect(new Set(outcomes.filter((o) => o !== 'created'))).toEqual(new Set(['this run has created 5 jobs, as many as a run may']));
    expect(await queue.counts()).toMatchObject({ queued: 5 });
  });

  it("stores at most the bytes of job data a run may, all its jobs together", async () => {
    const queue = connect(newHost({ maxBytes: 50_000 })).jobQueue('jobs');
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue('work', 'x'.repeat(20_000)).then(() => 'created', (e: Error) => e.message)));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(2);
    expect(outcomes.filter((o) => o !== 'created')[0]).toMatch(/^this run's jobs hold 40004 bytes of data in Redis; a run may store at most 50000$/);
  });

  it('keeps its Redis connections bounded, however many lease lengths and callers ask, and closes them all at the end', async () => {
    const admin = new Redis(redis.url);
    const connected = async () => Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))![1]);
    try {
      const before = await connected();
      const host = newHost();
      const queue = connect(host).jobQueue('jobs');
      for (let lease = 1001; lease <= 1060; lease++) await queue.claim(`worker-${lease % 3}`, lease);
      for (let n = 0; n < 40; n++) await queue.claim(`replaced-worker-${n}`, 1000);
      // 16 idle workers of two connections each, the queue's and a few of BullMQ's own.
      expect((await connected()) - before).toBeLessThanOrEqual(2 * 16 + 4);
      await host.close();
      await waitFor(async () => (await connected()) === before);
    } finally {
      admin.disconnect();
    }
  });

  it("removes the queues of runs a crash left in Redis, and only the runs it is told about", async () => {
    const left = new BullMqJobQueue({ name: redisQueueName('aaaaaaaaaaaa', 'jobs'), connection: redis.url });
    const other = new BullMqJobQueue({ name: redisQueueName('bbbbbbbbbbbb', 'jobs'), connection: redis.url });
    try {
      await left.enqueue('work', {});
      await other.enqueue('work', {});
      const removed = await sweepStaleQueues(redis.url, (runId) => runId === 'aaaaaaaaaaaa');
      expect(removed).toBeGreaterThan(0);
      expect(await left.counts()).toMatchObject({ queued: 0 });
      expect(await other.counts()).toMatchObject({ queued: 1 });
    } finally {
      await other.obliterate();
      await Promise.all([left.close(), other.close()]);
    }
  });

  it("removes the run's jobs from Redis when it closes, and refuses calls after", async () => {
    const host = new BrokerHost({ url: redis.url, runId: 'closing-run' });
    const queue = connect(host).jobQueue('jobs');
    await queue.enqueue('work', {}, { key: 'kept-until-close' });
    const keys = async () => {
      const client = new Redis(redis.url);
      try {
        return await client.keys('bull:workbench-closing-run-*');
      } finally {
        client.disconnect();
      }
    };
    expect((await keys()).length).toBeGreaterThan(0);
    await host.close();
    expect(await keys()).toEqual([]);
    await expect(queue.counts()).rejects.toThrow('the run has ended: its queues are gone');
  });
});
