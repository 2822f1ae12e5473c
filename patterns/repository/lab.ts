/**
 * The "store" lab: a small users-and-orders API whose every request goes
 * through the repositories (repository.ts), served by SQLite
 * (sqlite-repository.ts, over the run's `ctx.db`) or from memory
 * (memory-repository.ts), swapped live. The service code below is written
 * once against the interfaces; only the storage behind it changes.
 *
 * What it lets you see, one workload at a time: the statements each request
 * sends (a list page that loads each user's orders one by one, against one
 * join), a deep page by OFFSET against one by key, and two requests editing
 * the same user at once, where the version column turns a silent lost update
 * into a conflict that is retried.
 *
 * This file wires things up and turns what happens into telemetry; the
 * repositories stay free of telemetry calls. Every statement is a `sql`
 * event already (ctx.db records it); the `database` fault point makes
 * statements slow or fails them busy/locked.
 */
import { isDatabaseError, type LabContext, type LabInstance, type LabRequest, type LabResult, type Params } from '../kit/index.ts';
import type { User } from './domain.ts';
import { isConcurrencyError, isDuplicateEmailError } from './errors.ts';
import {
  countingDatabase,
  editsIn,
  offsetPageMemory,
  offsetPageSqlite,
  seedMemory,
  seedSqlite,
  withEdits,
  type Seeded,
  type StatementCounter,
} from './lab-support.ts';
import { MemoryOrderRepository, MemoryStore, MemoryUserRepository } from './memory-repository.ts';
import { PAGE_SIZE, SEEDED_USERS, storeParams, type StoreSettings } from './params.ts';
import type { OrderRepository, UserRepository } from './repository.ts';
import { ensureSchema, SqliteOrderRepository, SqliteUserRepository } from './sqlite-repository.ts';
import { MemoryUnitOfWork, SqliteUnitOfWork, type UnitOfWork } from './unit-of-work.ts';

type Storage = StoreSettings['storage'];

/** What one request works with: the repositories of the storage in use, and its statement count. */
interface RequestStore {
  storage: Storage;
  users: UserRepository;
  orders: OrderRepository;
  unitOfWork: UnitOfWork;
  /** A page by OFFSET, the widely copied Python version's way (lab-support.ts), for comparison. */
  offsetPage(offset: number, limit: number): Promise<User[]>;
  counter: StatementCounter;
}

/** An operation of the API: its route (for the request log) and what it does. */
interface Operation {
  route: string;
  serve(store: RequestStore): Promise<LabResult>;
}

/** An edit reads the user, then "thinks" this long (validation, a call elsewhere) before writing: room for another edit. */
const THINK_MS = 5;
const THINK_JITTER_MS = 20;
/** A conflicting edit reads again and retries, this many attempts in all, then answers 409. */
const EDIT_ATTEMPTS = 3;

export function start(ctx: LabContext): LabInstance {
  let settings = storeParams.read(ctx.params);
  // The in-memory store lives in this lab instance: a redeploy builds (and fills) a new one.
  // The SQLite database is the run's: it keeps its data across redeploys.
  let memory = new MemoryStore();
  const memoryUnitOfWork = () => new MemoryUnitOfWork(memory, ctx.clock);
  let memoryUnits = memoryUnitOfWork();
  let sqliteSeeding: Promise<void> | undefined;

  const announce = (storage: Storage, seeded: Seeded, begin: number) => {
    ctx.emit({ type: 'repository.seeded', storage, ...seeded, durationMs: ctx.clock.now() - begin });
    ctx.log.info(
      seeded.alreadyThere
        ? `${storage}: the users and orders are there already`
        : `${storage}: added ${seeded.users} users and ${seeded.orders} orders`,
      { storage, ...seeded },
    );
  };

  /** The schema and the users, once per run (the CTEs add nothing the second time); retried by the next request if a fault failed it. */
  const sqliteReady = (): Promise<void> =>
    (sqliteSeeding ??= (async () => {
      const begin = ctx.clock.now();
      await ensureSchema(ctx.db);
      announce('sqlite', await seedSqlite(ctx.db), begin);
    })().catch((error: unknown) => {
      sqliteSeeding = undefined;
      throw error;
    }));

  const memoryReady = (): void => {
    if (memory.state.users.size > 0) return;
    const begin = ctx.clock.now();
    announce('memory', seedMemory(memory), begin);
  };

  const storeFor = async (storage: Storage): Promise<RequestStore> => {
    const counter: StatementCounter = { statements: 0 };
    if (storage === 'memory') {
      memoryReady();
      return {
        storage,
        users: new MemoryUserRepository(ctx.clock, memory),
        orders: new MemoryOrderRepository(ctx.clock, memory),
        unitOfWork: memoryUnits,
        offsetPage: async (offset, limit) => offsetPageMemory(memory, offset, limit),
        counter,
      };
    }
    await sqliteReady();
    // Repositories per request, over a view of the run's database that counts this request's statements.
    const db = countingDatabase(ctx.db, counter);
    return {
      storage,
      users: new SqliteUserRepository(db, ctx.clock),
      orders: new SqliteOrderRepository(db, ctx.clock),
      unitOfWork: new SqliteUnitOfWork(db, ctx.clock),
      offsetPage: (offset, limit) => offsetPageSqlite(db, offset, limit),
      counter,
    };
  };

  // The invariants (pattern.ts), counted here from what the requests saw, never asked of the repositories.

  /**
   * Per storage and user: the edit count now stored, as the last acknowledged
   * edit wrote it (acknowledgements arrive in the order the writes were made).
   * Forgotten when the workload or the storage changes: see `updateParams`.
   */
  const acknowledgedEdits = new Map<string, number>();
  /** Goes up with each such change: an edit started before it is not checked against the record kept after it. */
  let editEpoch = 0;

  /** An edit based on `readEdits` was acknowledged: it must not overwrite an edit acknowledged before it. */
  const acknowledgeEdit = (storage: Storage, userId: number, readEdits: number, wroteEdits: number, requestId: string, epoch: number) => {
    const key = `${storage}:${userId}`;
    const before = acknowledgedEdits.get(key);
    if (epoch === editEpoch) {
      ctx.invariant(
        'no-lost-update',
        before === undefined || readEdits >= before,
        () =>
          `${requestId} wrote edit ${wroteEdits} of user ${userId} (${storage}) on top of edit ${readEdits}, ` +
          `after edit ${before} had been acknowledged: ${(before ?? 0) - readEdits} acknowledged edit(s) lost`,
      );
    }
    acknowledgedEdits.set(key, wroteEdits);
  };

  /** A page: in id order, each user once, at most a page, and (by key) after its cursor. */
  const checkPage = (ids: number[], after: number | undefined) =>
    ctx.invariant(
      'page-in-order',
      ids.length <= PAGE_SIZE && ids.every((id, i) => (i === 0 ? after === undefined || id > after : id > ids[i - 1]!)),
      () => `a page ${after === undefined ? '' : `after ${after} `}held users ${ids.join(', ')}`,
    );

  const randomUserId = (among = SEEDED_USERS) => 1 + Math.floor(ctx.random.next() * among);
  /** A cursor anywhere but in the last page. */
  const randomCursor = () => Math.floor(ctx.random.next() * (SEEDED_USERS - PAGE_SIZE));

  // The API's operations, written against the repository interfaces only.

  const getUser: Operation = {
    route: 'GET /users/:id',
    async serve({ users }) {
      const id = randomUserId();
      const user = await users.get(id);
      return user ? ok() : notFound(`no user ${id}`);
    },
  };

  const findByEmail: Operation = {
    route: 'GET /users?email=',
    async serve({ users }) {
      const email = `user${randomUserId()}@example.com`;
      const user = await users.findByEmail(email);
      return user ? ok() : notFound(`no user with email ${email}`);
    },
  };

  const listPage: Operation = {
    route: 'GET /users?after=',
    async serve({ users }) {
      const after = randomCursor();
      const page = await users.list({ limit: PAGE_SIZE, after });
      checkPage(page.items.map((u) => u.id), after);
      return ok();
    },
  };

  const signUp = (request: LabRequest): Operation => ({
    route: 'POST /signups',
    async serve({ unitOfWork }) {
      // The user and their first order together, in one unit of work: both written, or (a statement failed) neither.
      await unitOfWork.run(async ({ users, orders }) => {
        const user = await users.add({ email: `signup-${request.id}@example.com`, name: `New user ${request.id}` });
        await orders.add({ userId: user.id, amountCents: 500 + Math.floor(ctx.random.next() * 9_500) });
      });
      return { outcome: 'ok', status: 201 };
    },
  });

  /**
   * Read, change, write: the user's edit count goes up by one. `unchecked`
   * reads the version again just before writing, which is what the widely
   * copied Python version's `update(id, obj)` does (it fetches the row, copies
   * the object over it and commits): the version check then passes whatever
   * happened since the request read the user.
   */
  const edit = (request: LabRequest, userId: number, unchecked: boolean): Operation => ({
    route: 'PATCH /users/:id',
    async serve({ storage, users }) {
      const epoch = editEpoch;
      for (let attempt = 1; attempt <= EDIT_ATTEMPTS; attempt++) {
        const read = await users.get(userId);
        if (!read) return notFound(`no user ${userId}`);
        await ctx.clock.sleep(THINK_MS + ctx.random.next() * THINK_JITTER_MS);
        const readEdits = editsIn(read.name);
        const edits = readEdits + 1;
        const version = unchecked ? ((await users.get(userId))?.version ?? read.version) : read.version;
        const event = { type: 'repository.edit', requestId: request.id, storage, userId, attempt, expectedVersion: version, edits } as const;
        try {
          // The user as read, with its name changed: what callers of the widely copied Python
          // version's `update(id, obj)` hand over. The repository must take only the changes from it.
          await users.update(userId, { ...read, name: withEdits(read.name, edits) }, version);
        } catch (error) {
          if (!isConcurrencyError(error)) throw error;
          ctx.emit({ ...event, outcome: 'conflict' });
          continue;
        }
        ctx.emit({ ...event, outcome: 'applied' });
        acknowledgeEdit(storage, userId, readEdits, edits, request.id, epoch);
        return ok();
      }
      return { outcome: 'rejected', status: 409, error: `user ${userId} kept changing: gave up after ${EDIT_ATTEMPTS} attempts` };
    },
  });

  /** A page of users with their orders, the N+1 way or with one join. */
  const usersWithOrders = (request: LabRequest, strategy: 'n-plus-one' | 'join'): Operation => ({
    route: 'GET /users?include=orders',
    async serve({ storage, users, orders, counter }) {
      const begin = ctx.clock.now();
      const after = randomCursor();
      let page: Array<{ user: User; orders: unknown[] }>;
      if (strategy === 'join') {
        page = (await users.listWithOrders({ limit: PAGE_SIZE, after })).items;
      } else {
        // What an ORM's lazy `user.orders` does in a loop: one more query per user on the page.
        page = [];
        for (const user of (await users.list({ limit: PAGE_SIZE, after })).items) page.push({ user, orders: await orders.listByUser(user.id) });
      }
      checkPage(page.map((p) => p.user.id), after);
      ctx.emit({
        type: 'repository.listing',
        requestId: request.id,
        storage,
        strategy,
        users: page.length,
        orders: page.reduce((n, p) => n + p.orders.length, 0),
        statements: counter.statements,
        durationMs: ctx.clock.now() - begin,
      });
      return ok();
    },
  });

  /** The page `depth` users deep, by OFFSET or by key. */
  const deepPage = (request: LabRequest, strategy: 'offset' | 'keyset', depth: number): Operation => ({
    route: strategy === 'offset' ? 'GET /users?skip=' : 'GET /users?after=',
    async serve(store) {
      const begin = ctx.clock.now();
      // The seeded ids are 1 … 100,000 with none missing, so "after id `depth`" is the same
      // page as "skip `depth` users": the cursor a client holds after paging that far.
      const users = strategy === 'offset' ? await store.offsetPage(depth, PAGE_SIZE) : (await store.users.list({ limit: PAGE_SIZE, after: depth })).items;
      checkPage(users.map((u) => u.id), strategy === 'keyset' ? depth : undefined);
      ctx.emit({
        type: 'repository.page',
        requestId: request.id,
        storage: store.storage,
        strategy,
        depth,
        users: users.length,
        rowsSkipped: strategy === 'offset' ? depth : 0,
        statements: store.counter.statements,
        durationMs: ctx.clock.now() - begin,
      });
      return ok();
    },
  });

  /** What one request of the load does, under the workload in use. */
  const pick = (request: LabRequest, { workload, pageDepth, hotUsers }: StoreSettings): Operation => {
    switch (workload) {
      case 'orders-n-plus-one':
        return usersWithOrders(request, 'n-plus-one');
      case 'orders-join':
        return usersWithOrders(request, 'join');
      case 'page-offset':
        return deepPage(request, 'offset', pageDepth);
      case 'page-keyset':
        return deepPage(request, 'keyset', pageDepth);
      case 'edits-versioned':
        return edit(request, randomUserId(hotUsers), false);
      case 'edits-unchecked':
        return edit(request, randomUserId(hotUsers), true);
      case 'mixed': {
        const draw = ctx.random.next();
        if (draw < 0.3) return getUser;
        if (draw < 0.5) return findByEmail;
        if (draw < 0.7) return listPage;
        // Edits of any of the 100,000 users: two at once on one user are rare here.
        if (draw < 0.9) return edit(request, randomUserId(), false);
        return signUp(request);
      }
    }
  };

  const announceSettings = (s: StoreSettings) =>
    ctx.log.info(`storage: ${s.storage}, workload: ${s.workload}`, { storage: s.storage, workload: s.workload, pageDepth: s.pageDepth, hotUsers: s.hotUsers });

  if (settings.storage === 'sqlite') sqliteReady().catch(() => undefined);
  announceSettings(settings);

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const current = settings;
      const operation = pick(request, current);
      try {
        const store = await storeFor(current.storage);
        return { ...(await operation.serve(store)), route: operation.route };
      } catch (error) {
        return { ...failure(error), route: operation.route };
      }
    },
    updateParams(params: Params) {
      const previous = settings;
      settings = storeParams.read(params, settings);
      if (settings.workload !== previous.workload || settings.storage !== previous.storage) {
        // A fresh record for the new workload: edits still in flight from the old one (unchecked
        // ones among them) may lose updates as they land, and must not count against the new one.
        acknowledgedEdits.clear();
        editEpoch++;
      }
      if (settings.storage === 'sqlite') sqliteReady().catch(() => undefined);
      announceSettings(settings);
    },
    dispose() {
      // Let the in-memory users go now rather than with the last request still holding them.
      memory = new MemoryStore();
      memoryUnits = memoryUnitOfWork();
    },
  };
}

const ok = (): LabResult => ({ outcome: 'ok', status: 200 });
const notFound = (error: string): LabResult => ({ outcome: 'error', status: 404, error });

/** A thrown error as the request log shows it: a domain conflict is a 409, a database failure a 503. */
const failure = (error: unknown): LabResult => {
  const message = error instanceof Error ? error.message : String(error);
  if (isDuplicateEmailError(error) || isConcurrencyError(error)) return { outcome: 'rejected', status: 409, error: message };
  if (isDatabaseError(error)) return { outcome: 'error', status: 503, error: message };
  return { outcome: 'error', status: 500, error: message };
};
