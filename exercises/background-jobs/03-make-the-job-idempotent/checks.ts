import { defineChecks, SeededRandom, type Job, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import { creditPoints, POINTS_SCHEMA } from '../../../patterns/background-jobs/credit-points.ts';
import { SqliteJobQueue } from '../../../patterns/background-jobs/sqlite-queue.ts';
import { Worker } from '../../../patterns/background-jobs/worker.ts';

const jobFor = (id: string, customer: string, points: number): Job => ({
  id,
  name: 'credit-points',
  data: { customer, points },
  state: 'active',
  priority: 0,
  attemptsMade: 1,
  maxAttempts: 3,
  createdAt: 0,
  runAt: 0,
});

const balanceOf = async (db: LabDatabase, customer: string) =>
  (await db.get<{ points: number }>('SELECT points FROM balances WHERE customer = ?', customer))?.points ?? 0;

const prepare = async (db: LabDatabase) => db.exec(POINTS_SCHEMA);

/** Lets virtual time pass in small steps until `done()` (the database answers between them). */
const until = async (clock: VirtualClock, done: () => boolean | Promise<boolean>, maxMs: number) => {
  for (let t = 0; t < maxMs && !(await done()); t += 10) await clock.advance(10);
};

export default defineChecks([
  {
    task: 1,
    name: 'a job that runs a second time credits nothing, and says so',
    async run({ db, clock, expect }) {
      await prepare(db);
      const job = jobFor('order-1', 'c7', 40);
      const first = await creditPoints(db, clock, job);
      const second = await creditPoints(db, clock, { ...job, attemptsMade: 2 });
      expect.equal(first.credited, true, 'credited, on the first run');
      expect.equal(second.credited, false, 'credited, on the second run of the same job');
      expect.equal(await balanceOf(db, 'c7'), 40, "c7's balance after one job of 40 points ran twice");
    },
  },
  {
    task: 1,
    name: 'two different jobs with the same customer and points both credit',
    async run({ db, clock, expect }) {
      await prepare(db);
      await creditPoints(db, clock, jobFor('order-1', 'c7', 40));
      const other = await creditPoints(db, clock, jobFor('order-2', 'c7', 40));
      expect.equal(other.credited, true, 'credited, for a second order of the same points');
      expect.equal(await balanceOf(db, 'c7'), 80, "c7's balance after two orders of 40 points");
    },
  },
  {
    task: 1,
    name: 'a worker killed after crediting: the job runs again on another worker, and the points count once',
    async run({ db, clock, expect }) {
      await prepare(db);
      const queue = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) });
      let rescuer: Worker | undefined;
      const start = (id: string, dies: boolean) => {
        const worker: Worker = new Worker({
          id,
          queue,
          clock,
          random: new SeededRandom(2),
          leaseMs: 500,
          pollMs: 10,
          handlers: {
            'credit-points': async (job) => {
              const result = await creditPoints(db, clock, job);
              // The first worker dies after the credit, before it can report it; a new one starts.
              if (dies) {
                worker.kill();
                rescuer = start('worker-2', false);
              }
              return result;
            },
          },
        });
        worker.start();
        return worker;
      };
      await queue.enqueue('credit-points', { customer: 'c7', points: 40 }, { key: 'order-1' });
      start('worker-1', true);
      await until(clock, async () => (await queue.get('order-1'))?.state === 'completed', 5_000);
      await rescuer?.stop();
      const job = await queue.get('order-1');
      expect.equal(job?.state, 'completed', 'the state of the job');
      expect.equal(job?.attemptsMade, 2, 'attempts it took');
      expect.equal(await balanceOf(db, 'c7'), 40, "c7's balance after her one order of 40 points");
    },
  },
  {
    task: 2,
    name: 'of two runs of one job started together, exactly one credits',
    async run({ db, clock, expect }) {
      await prepare(db);
      const job = jobFor('order-1', 'c7', 40);
      const runs = await Promise.all([creditPoints(db, clock, job), creditPoints(db, clock, { ...job, attemptsMade: 2 })]);
      expect.equal(runs.filter((r) => r.credited).length, 1, 'runs that said they credited');
      expect.equal(await balanceOf(db, 'c7'), 40, "c7's balance after two overlapping runs of one job");
    },
  },
  {
    task: 2,
    name: 'a run that fails half-way leaves nothing behind: the next run credits',
    async run({ db, clock, expect }) {
      await prepare(db);
      // The balance refuses this customer's credit once, as a full disk or a constraint would.
      await db.exec(`CREATE TRIGGER refuse_once BEFORE INSERT ON balances WHEN NEW.customer = 'c9'
                     BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      const job = jobFor('order-9', 'c9', 25);
      await expect.rejects(() => creditPoints(db, clock, job), 'the run whose credit the database refused');
      await db.exec('DROP TRIGGER refuse_once');
      const retry = await creditPoints(db, clock, { ...job, attemptsMade: 2 });
      expect.equal(retry.credited, true, 'credited, on the run after the failed one');
      expect.equal(await balanceOf(db, 'c9'), 25, "c9's balance");
    },
  },
]);
