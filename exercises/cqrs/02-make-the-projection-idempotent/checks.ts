import { defineChecks, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import { UserSummaryProjection } from '../../../patterns/cqrs/projection.ts';
import { readEvents, WRITE_SCHEMA, WriteSide } from '../../../patterns/cqrs/write-side.ts';

/** Two users and five orders through the write side: events 1 to 7 in the log. */
const seed = async (db: LabDatabase, clock: VirtualClock) => {
  await db.exec(WRITE_SCHEMA);
  const writes = new WriteSide({ db, clock });
  const ada = await writes.registerUser({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
  const grace = await writes.registerUser({ type: 'RegisterUser', email: 'grace@example.com', name: 'Grace' });
  for (const [userId, amountCents] of [
    [ada.userId, 1_000],
    [grace.userId, 250],
    [ada.userId, 500],
    [ada.userId, 125],
    [grace.userId, 4_000],
  ] as const) {
    await writes.placeOrder({ type: 'PlaceOrder', userId, amountCents });
  }
  const projection = new UserSummaryProjection({ db });
  await projection.setUp();
  return { projection, ada: ada.userId, grace: grace.userId };
};

const summaries = (db: LabDatabase) =>
  db.all<{ user_id: number; order_count: number; total_cents: number }>('SELECT user_id, order_count, total_cents FROM user_summaries ORDER BY user_id');

/** What the events say: Ada 3 orders for 1,625 cents, Grace 2 for 4,250. */
const truth = (ada: number, grace: number) => [
  { user_id: ada, order_count: 3, total_cents: 1_625 },
  { user_id: grace, order_count: 2, total_cents: 4_250 },
];

export default defineChecks([
  {
    task: 1,
    name: 'a batch applied once gives every user the orders and total the events say',
    async run({ db, clock, expect }) {
      const { projection, ada, grace } = await seed(db, clock);
      await projection.apply(await readEvents(db, 0, 100));
      expect.equal(await summaries(db), truth(ada, grace), 'the read model after one delivery');
    },
  },
  {
    task: 1,
    name: 'a batch delivered twice counts its orders once',
    async run({ db, clock, expect }) {
      const { projection, ada, grace } = await seed(db, clock);
      const batch = await readEvents(db, 0, 100);
      await projection.apply(batch);
      await projection.apply(batch);
      expect.equal(await summaries(db), truth(ada, grace), 'the read model after the same batch was delivered twice');
    },
  },
  {
    task: 2,
    name: 'an overlapping batch applies only the new events and reports the others as skipped',
    async run({ db, clock, expect }) {
      const { projection, ada, grace } = await seed(db, clock);
      const first = await projection.apply(await readEvents(db, 0, 3));
      expect.equal(first, { applied: 3, skipped: 0, position: 3 }, 'what applying events 1–3 reports');
      const second = await projection.apply(await readEvents(db, 1, 4));
      expect.equal(second, { applied: 2, skipped: 2, position: 5 }, 'what applying events 2–5 afterwards reports');
      await projection.apply(await readEvents(db, 5, 100));
      expect.equal(await summaries(db), truth(ada, grace), 'the read model after every event, some delivered twice');
    },
  },
  {
    task: 2,
    name: 'a projection started afresh on the same database resumes from the stored position',
    async run({ db, clock, expect }) {
      const { projection, ada, grace } = await seed(db, clock);
      await projection.apply(await readEvents(db, 0, 4));
      // A new process: nothing in memory, only what the database holds.
      const restarted = new UserSummaryProjection({ db });
      expect.equal(await restarted.position(), 4, 'the position the restarted projection starts from');
      // The delivery before the crash was not acknowledged: it comes again, with what followed.
      const redelivered = await restarted.apply(await readEvents(db, 0, 100));
      expect.equal(redelivered.skipped, 4, 'events skipped as already applied');
      expect.equal(await summaries(db), truth(ada, grace), 'the read model after the restart');
    },
  },
]);
