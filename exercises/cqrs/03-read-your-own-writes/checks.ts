import { defineChecks, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import { ReadModelBehind } from '../../../patterns/cqrs/messages.ts';
import { UserSummaryProjection } from '../../../patterns/cqrs/projection.ts';
import { ReadSide } from '../../../patterns/cqrs/read-side.ts';
import { readEvents, WRITE_SCHEMA, WriteSide } from '../../../patterns/cqrs/write-side.ts';

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Lets virtual time pass, 5 ms at a time, until `promise` settles; returns how it settled. */
const settle = async <T>(clock: VirtualClock, promise: Promise<T>): Promise<{ value?: T; error?: unknown }> => {
  let outcome: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let step = 0; outcome === undefined && step < 4_000; step++) await clock.advance(5);
  return outcome ?? { error: new Error('it never answered, even after 20 s of virtual time') };
};

/**
 * Ada registered and projected; then she places an order for 1,250 cents, which the projection has
 * not applied yet. Returns the position her command returned, and a way to let the projection catch up.
 * The read side sees the projection's position through a small stand-in that keeps it in memory: its
 * waiting then runs on virtual time alone (statements go to the database process and back).
 */
const setUp = async (db: LabDatabase, clock: VirtualClock, waitTimeoutMs = 500) => {
  await db.exec(WRITE_SCHEMA);
  const writeSide = new WriteSide({ db, clock });
  const projection = new UserSummaryProjection({ db });
  await projection.setUp();
  let position = 0;
  const catchUp = async () => {
    position = (await projection.apply(await readEvents(db, position, 100))).position;
  };
  const { userId } = await writeSide.registerUser({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
  await catchUp();
  const placed = await writeSide.placeOrder({ type: 'PlaceOrder', userId, amountCents: 1_250 });
  const reads = new ReadSide({ db, clock, projection: { position: async () => position }, writeSide, waitTimeoutMs, pollMs: 10 });
  return { reads, userId, position: placed.position, catchUp };
};

export default defineChecks([
  {
    task: 1,
    name: 'without a position, a query answers at once from the read model as it is',
    async run({ db, clock, expect }) {
      const { reads, userId } = await setUp(db, clock);
      const { value, error } = await settle(clock, reads.ask({ type: 'GetUserSummary', userId }));
      if (error !== undefined) expect.fail(`ask without a position should answer, it threw ${show(error)}`);
      expect.equal(value!.result?.orderCount, 0, "Ada's orders in the read model, which has not applied her order yet");
      expect.equal(value!.source, 'read-model', 'where the answer came from');
    },
  },
  {
    task: 1,
    name: 'with the position her command returned, Ada’s query waits until the read model has her order',
    async run({ db, clock, expect }) {
      const { reads, userId, position, catchUp } = await setUp(db, clock, 60_000);
      // The projection's next poll, 100 ms from now.
      const caughtUp = clock.sleep(100).then(catchUp);
      const { value, error } = await settle(clock, reads.ask({ type: 'GetUserSummary', userId }, { after: position }));
      await settle(clock, caughtUp);
      if (error !== undefined) expect.fail(`ask with after: ${position} should answer once the read model has it, it threw ${show(error)}`);
      expect.equal(value!.result?.orderCount, 1, "Ada's orders in the answer");
      expect.equal(value!.source, 'read-model', 'where the answer came from');
      // At least until the projection caught up (its statements take some virtual time of their own).
      expect.atLeast(value!.waitedMs, 100, 'ms waited for the read model (it caught up after 100 ms)');
    },
  },
  {
    task: 1,
    name: 'a read model that never gets there makes the query throw ReadModelBehind after waitTimeoutMs, not answer stale',
    async run({ db, clock, expect }) {
      const { reads, userId, position } = await setUp(db, clock);
      const started = clock.now();
      const { value, error } = await settle(clock, reads.ask({ type: 'GetUserSummary', userId }, { after: position }));
      if (error === undefined) expect.fail(`it answered ${JSON.stringify(value)}: a summary without the order Ada was told she placed`);
      expect.ok(error instanceof ReadModelBehind, `it should throw ReadModelBehind, it threw ${show(error)}`);
      expect.between(clock.now() - started, 500, 520, 'ms before it gave up (waitTimeoutMs is 500)');
      const behind = error as ReadModelBehind;
      expect.equal([behind.wanted, behind.reached], [position, position - 1], 'the positions ReadModelBehind names (wanted, reached)');
    },
  },
  {
    task: 2,
    name: 'with the write-side strategy, a read model behind the position is bypassed: the answer comes from the write side at once',
    async run({ db, clock, expect }) {
      const { reads, userId, position } = await setUp(db, clock);
      const { value, error } = await settle(clock, reads.ask({ type: 'GetUserSummary', userId }, { after: position, strategy: 'write-side' }));
      if (error !== undefined) expect.fail(`ask with the write-side strategy should answer, it threw ${show(error)}`);
      expect.equal(value!.source, 'write-side', 'where the answer came from while the read model is behind');
      expect.equal(value!.result?.orderCount, 1, "Ada's orders in the answer");
      expect.equal(value!.result?.totalCents, 1_250, "Ada's total in the answer");
    },
  },
  {
    task: 2,
    name: 'only GetUserSummary has a write-side twin: ListTopCustomers with the write-side strategy still waits for the read model',
    async run({ db, clock, expect }) {
      const { reads, position, catchUp } = await setUp(db, clock, 60_000);
      // The projection's next poll, 100 ms from now.
      const caughtUp = clock.sleep(100).then(catchUp);
      const { value, error } = await settle(clock, reads.ask({ type: 'ListTopCustomers', limit: 5 }, { after: position, strategy: 'write-side' }));
      await settle(clock, caughtUp);
      if (error !== undefined) expect.fail(`ask should answer once the read model has the position, it threw ${show(error)}`);
      expect.equal(value!.source, 'read-model', 'where the answer came from (the write side has no list of top customers)');
      expect.equal(
        Array.isArray(value!.result) ? value!.result.map((summary) => summary.orderCount) : value!.result,
        [1],
        "the top customers' orders in the answer (Ada's order included)",
      );
      expect.atLeast(value!.waitedMs, 100, 'ms waited for the read model (it caught up after 100 ms)');
    },
  },
  {
    task: 2,
    name: 'with the write-side strategy, a read model that has the position answers itself',
    async run({ db, clock, expect }) {
      const { reads, userId, position, catchUp } = await setUp(db, clock);
      await catchUp();
      const { value, error } = await settle(clock, reads.ask({ type: 'GetUserSummary', userId }, { after: position, strategy: 'write-side' }));
      if (error !== undefined) expect.fail(`ask should answer, it threw ${show(error)}`);
      expect.equal(value!.source, 'read-model', 'where the answer came from once the read model has the order');
      expect.equal(value!.result?.orderCount, 1, "Ada's orders in the answer");
    },
  },
]);
