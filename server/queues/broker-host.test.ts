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
import { BrokerHost, MAX_QUEUES, shownRedisUrl } from './broker-host.ts';

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

  it('shows a Redis URL without its password', () => {
    expect(shownRedisUrl('redis://:s3cret@127.0.0.1:6390/2')).toBe('redis://127.0.0.1:6390/2');
  });
});

describe.skipIf(!redisServerPath)('the broker host, on Redis', () => {
  let redis: RedisServer;
  const hosts: BrokerHost[] = [];
  let next = 0;
  const newHost = (options: { maxJobs?: number } = {}) => {
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

  it(`opens at most ${MAX_QUEUES} queues per run, and at most its jobs`, async () => {
    const client = connect(newHost({ maxJobs: 2 }));
    for (let i = 0; i < MAX_QUEUES; i++) await client.jobQueue(`q${i}`).counts();
    await expect(client.jobQueue('one-more').counts()).rejects.toThrow(new RangeError(`a run may open ${MAX_QUEUES} queues; it has q0, q1, q2, q3`));
    const queue = client.jobQueue('q0');
    await queue.enqueue('work', {}, { key: 'a' });
    await queue.enqueue('work', {}, { key: 'b' });
    await expect(queue.enqueue('work', {}, { key: 'c' })).rejects.toThrow(/created 2 jobs, as many as a run may/);
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
