import { defineChecks, isLeaseLostError, SeededRandom, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import { SqliteJobQueue } from '../../../patterns/background-jobs/sqlite-queue.ts';

const LEASE_MS = 1_000;

const open = (db: LabDatabase, clock: VirtualClock) => SqliteJobQueue.open({ db, clock, random: new SeededRandom(4) });
const show = (value: unknown) => JSON.stringify(value);

export default defineChecks([
  {
    task: 1,
    name: 'a job whose worker died runs again on another worker once its lease expires',
    async run({ db, clock, expect }) {
      const queue = await open(db, clock);
      const { id } = await queue.enqueue('credit-points', { customer: 'c1', points: 5 });
      await queue.claim('worker-1', LEASE_MS);
      // worker-1 dies here: it never extends, completes or fails the job.
      await clock.advance(LEASE_MS + 1);
      const recovered = await queue.recoverExpired();
      expect.equal(show(recovered), show([{ jobId: id, workerId: 'worker-1', attempt: 1, state: 'retrying' }]), 'what recoverExpired took back');
      const job = await queue.get(id);
      expect.equal(job?.state, 'retrying', 'the state of the job taken back');
      expect.ok(/lease/.test(job?.lastError ?? ''), `its error should say the lease expired, got ${show(job?.lastError)}`);
      const rescued = await queue.claim('worker-2', LEASE_MS);
      expect.equal(rescued?.job.id, id, 'the job worker-2 claims at once');
      expect.equal(rescued?.lease.attempt, 2, 'its attempt');
    },
  },
  {
    task: 1,
    name: 'a job whose lease still holds is not taken back',
    async run({ db, clock, expect }) {
      const queue = await open(db, clock);
      const { id } = await queue.enqueue('credit-points', { customer: 'c1', points: 5 });
      const { lease } = (await queue.claim('worker-1', LEASE_MS))!;
      await clock.advance(LEASE_MS / 2);
      expect.equal(show(await queue.recoverExpired()), '[]', 'jobs taken back half-way through the lease');
      await queue.extend(lease, LEASE_MS);
      await clock.advance(LEASE_MS * 0.9);
      expect.equal(show(await queue.recoverExpired()), '[]', 'jobs taken back after the lease was extended');
      expect.equal((await queue.get(id))?.state, 'active', 'the state of the job');
    },
  },
  {
    task: 1,
    name: 'a job whose worker died on its last attempt is dead, not lost',
    async run({ db, clock, expect }) {
      const queue = await open(db, clock);
      const { id } = await queue.enqueue('credit-points', { customer: 'c1', points: 5 }, { attempts: 2 });
      await queue.claim('worker-1', LEASE_MS);
      await clock.advance(LEASE_MS + 1);
      await queue.recoverExpired();
      await queue.claim('worker-2', LEASE_MS);
      await clock.advance(LEASE_MS + 1);
      const recovered = await queue.recoverExpired();
      expect.equal(show(recovered), show([{ jobId: id, workerId: 'worker-2', attempt: 2, state: 'dead' }]), 'what recoverExpired took back the second time');
      expect.equal((await queue.get(id))?.state, 'dead', 'the state of the job');
      expect.equal(await queue.claim('worker-3', LEASE_MS), undefined, 'a claim after it died');
    },
  },
  {
    task: 2,
    name: 'the worker presumed dead cannot complete the job another worker took over',
    async run({ db, clock, expect }) {
      const queue = await open(db, clock);
      const { id } = await queue.enqueue('credit-points', { customer: 'c1', points: 5 });
      const stalled = (await queue.claim('worker-1', LEASE_MS))!;
      await clock.advance(LEASE_MS + 1);
      await queue.recoverExpired();
      const rescuer = await queue.claim('worker-2', LEASE_MS);
      if (!rescuer) return expect.fail('worker-2 could not claim the job after worker-1’s lease expired: it must be taken back first (task 1)');
      await expect.rejects(() => queue.complete(stalled.lease, 'late'), "worker-1's complete with its old lease", isLeaseLostError);
      await expect.rejects(() => queue.fail(stalled.lease, { error: 'late', retryInMs: 0 }), "worker-1's fail with its old lease", isLeaseLostError);
      await expect.rejects(() => queue.extend(stalled.lease, LEASE_MS), "worker-1's extend with its old lease", isLeaseLostError);
      expect.equal((await queue.get(id))?.state, 'active', 'the state of the job worker-2 is running');
      await queue.complete(rescuer.lease, 'on time');
      expect.equal((await queue.get(id))?.result, 'on time', 'the result recorded');
    },
  },
  {
    task: 2,
    name: 'a lease that has lapsed is refused even before anyone takes the job back',
    async run({ db, clock, expect }) {
      const queue = await open(db, clock);
      const { id } = await queue.enqueue('credit-points', { customer: 'c1', points: 5 });
      const { lease } = (await queue.claim('worker-1', LEASE_MS))!;
      await clock.advance(LEASE_MS + 1);
      await expect.rejects(() => queue.extend(lease, LEASE_MS), 'extending a lapsed lease', isLeaseLostError);
      await expect.rejects(() => queue.complete(lease), 'completing with a lapsed lease', isLeaseLostError);
      expect.equal((await queue.get(id))?.state, 'active', 'the state of the job, until a sweep takes it back');
    },
  },
]);
