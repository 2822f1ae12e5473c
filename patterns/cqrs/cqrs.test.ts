import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { CommandBus } from './command-bus.ts';
import { HandlerAlreadyRegistered, InvalidCommand, NoHandler, ReadModelBehind, type CommandOf } from './messages.ts';
import { UserSummaryProjection } from './projection.ts';
import { ReadSide } from './read-side.ts';
import { readEvents, WRITE_SCHEMA, WriteSide } from './write-side.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** The write side, the projection and the read side over one in-memory database, on virtual time. */
const makeApp = async () => {
  const clock = new VirtualClock();
  const db = new RunDatabase({ clock, emit: () => undefined, requestId: () => undefined, connection: memoryDatabase() });
  opened.push(db);
  await db.exec(WRITE_SCHEMA);
  const writeSide = new WriteSide({ db, clock });
  const bus = new CommandBus();
  writeSide.registerOn(bus);
  const projection = new UserSummaryProjection({ db });
  await projection.setUp();
  const catchUp = async () => projection.apply(await readEvents(db, await projection.position(), 100));
  const reads = new ReadSide({ db, clock, projection, writeSide, waitTimeoutMs: 300, pollMs: 10 });
  return { clock, db, bus, projection, catchUp, reads, writeSide };
};

describe('command bus', () => {
  it('routes each command to the one handler of its type', async () => {
    const { bus } = await makeApp();
    const ada = await bus.execute({ type: 'RegisterUser', email: ' Ada@Example.com ', name: 'Ada' });
    const order = await bus.execute({ type: 'PlaceOrder', userId: ada.userId, amountCents: 1_250 });
    expect(ada).toEqual({ userId: 1, position: 1 });
    expect(order).toEqual({ orderId: 1, position: 2 });
  });

  it('refuses a command without a handler, and a second handler for one type, naming the type', async () => {
    const bus = new CommandBus();
    await expect(bus.execute({ type: 'CancelOrder' } as unknown as CommandOf<'PlaceOrder'>)).rejects.toThrow(NoHandler);
    await expect(bus.execute({ type: 'CancelOrder' } as unknown as CommandOf<'PlaceOrder'>)).rejects.toThrow(/'CancelOrder'/);
    bus.register('PlaceOrder', async () => ({ orderId: 1, position: 1 }));
    expect(() => bus.register('PlaceOrder', async () => ({ orderId: 2, position: 2 }))).toThrow(HandlerAlreadyRegistered);
  });
});

describe('write side', () => {
  it('refuses bad commands in the domain’s words, and records no event for them', async () => {
    const { bus, db } = await makeApp();
    await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    await expect(bus.execute({ type: 'RegisterUser', email: 'ADA@example.com', name: 'Ada' })).rejects.toThrow(new InvalidCommand('ada@example.com is already registered'));
    await expect(bus.execute({ type: 'RegisterUser', email: 'not an email', name: 'X' })).rejects.toThrow(InvalidCommand);
    await expect(bus.execute({ type: 'PlaceOrder', userId: 99, amountCents: 100 })).rejects.toThrow(new InvalidCommand('there is no user 99'));
    await expect(bus.execute({ type: 'PlaceOrder', userId: 1, amountCents: 12.5 })).rejects.toThrow(/whole number of cents/);
    expect(await db.all('SELECT position, type FROM events')).toEqual([{ position: 1, type: 'UserRegistered' }]);
    expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM orders'))!.n).toBe(0);
  });
});

describe('projection', () => {
  it('builds the read model from the events, skips events delivered again, and resumes from its stored position', async () => {
    const { bus, db, projection, catchUp } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    for (const amountCents of [1_000, 250, 500]) await bus.execute({ type: 'PlaceOrder', userId, amountCents });
    const batch = await readEvents(db, 0, 3);
    expect(await projection.apply(batch)).toEqual({ applied: 3, skipped: 0, position: 3 });
    expect(await projection.apply(batch)).toEqual({ applied: 0, skipped: 3, position: 3 });
    // A new instance (a restart) knows only what the database holds.
    const restarted = new UserSummaryProjection({ db });
    expect(await restarted.position()).toBe(3);
    expect(await catchUp()).toEqual({ applied: 1, skipped: 0, position: 4 });
    expect(await db.get('SELECT order_count, total_cents FROM user_summaries WHERE user_id = ?', userId)).toEqual({ order_count: 3, total_cents: 1_750 });
  });

  it('rebuilds from zero to the same numbers, and rolls back a batch that fails half-way', async () => {
    const { bus, db, projection, catchUp } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    await bus.execute({ type: 'PlaceOrder', userId, amountCents: 700 });
    await catchUp();
    await projection.rebuild();
    expect(await projection.position()).toBe(0);
    expect(await db.all('SELECT * FROM user_summaries')).toEqual([]);
    await catchUp();
    expect(await db.get('SELECT order_count, total_cents FROM user_summaries')).toEqual({ order_count: 1, total_cents: 700 });
    // An event the read model refuses (no amount: total_cents is NOT NULL) fails the whole batch: nothing of it stays.
    await bus.execute({ type: 'PlaceOrder', userId, amountCents: 300 });
    const [good] = await readEvents(db, 2, 10);
    const broken = { position: 4, recordedAt: 0, event: { type: 'OrderPlaced', orderId: 9, userId, amountCents: null } } as never;
    await expect(projection.apply([good!, broken])).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await projection.position()).toBe(2);
    expect(await db.get('SELECT order_count, total_cents FROM user_summaries')).toEqual({ order_count: 1, total_cents: 700 });
  });
});

describe('read side', () => {
  it('reads the read model only: a summary without the order the projection has not applied yet', async () => {
    const { bus, reads, catchUp } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    await catchUp();
    await bus.execute({ type: 'PlaceOrder', userId, amountCents: 1_250 });
    expect((await reads.ask({ type: 'GetUserSummary', userId })).result).toMatchObject({ orderCount: 0, totalCents: 0 });
    await catchUp();
    expect((await reads.ask({ type: 'ListTopCustomers', limit: 5 })).result).toEqual([
      { userId, email: 'ada@example.com', name: 'Ada', orderCount: 1, totalCents: 1_250 },
    ]);
    await expect(reads.ask({ type: 'ListTopCustomers', limit: 0 })).rejects.toThrow(RangeError);
  });

  it('waits for the position a command returned, on the clock, and gives up with ReadModelBehind', async () => {
    const { clock, bus, reads, catchUp } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    await catchUp();
    const { position } = await bus.execute({ type: 'PlaceOrder', userId, amountCents: 1_250 });
    const answer = reads.ask({ type: 'GetUserSummary', userId }, { after: position });
    await clock.advance(100);
    await catchUp();
    await clock.advance(20);
    await expect(answer).resolves.toMatchObject({ source: 'read-model', result: { orderCount: 1 } });
    const { position: next } = await bus.execute({ type: 'PlaceOrder', userId, amountCents: 10 });
    const late = reads.ask({ type: 'GetUserSummary', userId }, { after: next });
    const failed = expect(late).rejects.toThrow(ReadModelBehind);
    await clock.advance(300);
    await failed;
    // Or from the write side, at once.
    await expect(reads.ask({ type: 'GetUserSummary', userId }, { after: next, strategy: 'write-side' })).resolves.toMatchObject({
      source: 'write-side',
      result: { orderCount: 2, totalCents: 1_260 },
    });
  });

  it('never serves a stale read when the read model is rebuilt between its last look at the position and the read', async () => {
    const { clock, db, bus, projection, catchUp, writeSide } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    const { position } = await bus.execute({ type: 'PlaceOrder', userId, amountCents: 1_250 });
    await catchUp();
    // The position it sees says the order is in; right after that look, the read model is rebuilt from zero.
    let rebuilt = false;
    const rebuiltAfterLooking = {
      async position(tx?: Parameters<typeof projection.position>[0]) {
        const seen = await projection.position(tx);
        if (tx === undefined && !rebuilt) {
          rebuilt = true;
          await projection.rebuild();
        }
        return seen;
      },
    };
    for (const strategy of ['wait', 'write-side'] as const) {
      rebuilt = false;
      const reads = new ReadSide({ db, clock, projection: rebuiltAfterLooking, writeSide, waitTimeoutMs: 300, pollMs: 10 });
      const answer = reads.ask({ type: 'GetUserSummary', userId }, { after: position, strategy });
      await clock.advance(50);
      await catchUp();
      await clock.advance(20);
      const { result, source } = await answer;
      expect(rebuilt).toBe(true);
      expect(result, strategy).toMatchObject({ orderCount: 1, totalCents: 1_250 });
      expect(source).toBe(strategy === 'wait' ? 'read-model' : 'write-side');
    }
  });

  it('stops waiting when its signal is aborted, leaving no timer behind', async () => {
    const { clock, bus, reads, catchUp } = await makeApp();
    const { userId } = await bus.execute({ type: 'RegisterUser', email: 'ada@example.com', name: 'Ada' });
    await catchUp();
    const { position } = await bus.execute({ type: 'PlaceOrder', userId, amountCents: 1_250 });
    const stopping = new AbortController();
    const answer = reads.ask({ type: 'GetUserSummary', userId }, { after: position, signal: stopping.signal });
    const settled = expect(answer).rejects.toThrow();
    await clock.advance(20);
    stopping.abort();
    await settled;
    await clock.advance(0);
    expect(clock.pending).toBe(0);
  });
});
