/**
 * The "orders" lab: users place orders through a command bus, and read their
 * own summary (orders placed, total spent) from a read model that a
 * projection builds from the write side's events.
 *
 * The load's requests split into two lanes (the `queryShare` param): commands
 * (place an order, now and then register a new account) and queries (a client
 * reading its own summary right after its commands). The projection runs on
 * its own, on the run's clock: every `pollIntervalMs` it reads the events
 * after its stored position and applies them, behind the `projection` fault
 * point; the lab can deliver a batch twice (at-least-once delivery) and
 * rebuild the read model from zero (a new `readModelVersion`).
 *
 * What the lab counts itself, never asking the code under test: which orders
 * each client was told were placed (so a query that misses one is a stale
 * read), and what the events say each user's summary is (so a read model that
 * counted an order twice is caught).
 */
import { isDatabaseError, type Clock, type LabContext, type LabInstance, type LabRequest, type LabResult, type Params } from '../kit/index.ts';
import { CommandBus } from './command-bus.ts';
import { InvalidCommand, ReadModelBehind, type Command, type DomainEvent } from './messages.ts';
import { ordersParams } from './params.ts';
import { READ_MODEL_SCHEMA, UserSummaryProjection } from './projection.ts';
import { ReadSide } from './read-side.ts';
import { headOf, readEvents, WRITE_SCHEMA, WriteSide } from './write-side.ts';

/** One command in ten registers a new account for its client; the others place an order. */
const REGISTER_SHARE = 0.1;
const MIN_ORDER_CENTS = 100;
const MAX_ORDER_CENTS = 20_000;
/** Users whose expected summary the lab keeps; older ones are forgotten (memory stays flat). */
const KNOWN_USERS = 5_000;

/** What a client was told: the user it acts as, and per user the orders acknowledged. */
interface Told {
  orders: number;
  cents: number;
  /** The position of the newest command acknowledged for this user. */
  position: number;
}

type Settings = ReturnType<typeof ordersParams.read>;

export async function start(ctx: LabContext): Promise<LabInstance> {
  let settings: Settings = ordersParams.read(ctx.params);
  const projectionFault = ctx.fault('projection');
  const stopping = new AbortController();
  /** Called right before each write to the read model: after dispose() an old poll or rebuild writes nothing more (a new deploy's projection owns it). */
  const stillRunning = () => {
    if (stopping.signal.aborted) throw new Error('the lab stopped');
  };

  // The write side's tables and the read model, on a database that may hold an earlier deploy's data.
  const projection = new UserSummaryProjection({ db: ctx.db });
  await retryWhileBusy(ctx.clock, async () => {
    await ctx.db.exec(WRITE_SCHEMA);
    await projection.setUp();
    await ctx.db.exec('CREATE TABLE IF NOT EXISTS lab_read_model (projection TEXT PRIMARY KEY, version INTEGER NOT NULL, schema TEXT NOT NULL)');
  });
  // Rebuilt from zero when its version (a param) or its schema (projection.ts) is not the one it was built with.
  let rebuildWanted: string | undefined;
  const built = await retryWhileBusy(ctx.clock, () =>
    ctx.db.get<{ version: number; schema: string }>('SELECT version, schema FROM lab_read_model WHERE projection = ?', projection.name),
  );
  if (built === undefined) await retryWhileBusy(ctx.clock, () => recordBuild(settings.readModelVersion));
  else if (built.schema !== READ_MODEL_SCHEMA) rebuildWanted = 'the read model schema in projection.ts changed';
  else if (built.version !== settings.readModelVersion) rebuildWanted = `read model version ${built.version} → ${settings.readModelVersion}`;

  function recordBuild(version: number) {
    return ctx.db.run(
      'INSERT INTO lab_read_model (projection, version, schema) VALUES (?, ?, ?) ON CONFLICT (projection) DO UPDATE SET version = excluded.version, schema = excluded.schema',
      projection.name,
      version,
      READ_MODEL_SCHEMA,
    );
  }

  const writeSide = new WriteSide({ db: ctx.db, clock: ctx.clock });
  const bus = new CommandBus();
  writeSide.registerOn(bus);
  const makeReadSide = () =>
    new ReadSide({ db: ctx.db, clock: ctx.clock, projection, writeSide, waitTimeoutMs: settings.waitTimeoutMs });
  let reads = makeReadSide();

  // ---- What the clients were told, and the stale reads it finds. ----
  const actingAs = new Map<string, number>();
  const told = new Map<number, Told>();
  let staleReads = 0;
  const tell = (userId: number, position: number, cents?: number) => {
    const entry = told.get(userId) ?? { orders: 0, cents: 0, position: 0 };
    if (cents !== undefined) {
      entry.orders++;
      entry.cents += cents;
    }
    entry.position = Math.max(entry.position, position);
    told.set(userId, entry);
    if (told.size > KNOWN_USERS) told.delete(told.keys().next().value!);
  };

  const command = async (request: LabRequest, sent: Command): Promise<LabResult> => {
    const started = ctx.clock.now();
    const route = `command ${sent.type}`;
    try {
      const result = await bus.execute(sent);
      if (sent.type === 'RegisterUser' && 'userId' in result) {
        actingAs.set(request.clientKey, result.userId);
        tell(result.userId, result.position);
      } else if (sent.type === 'PlaceOrder') tell(sent.userId, result.position, sent.amountCents);
      emitCommand(request, sent.type, started, { ok: true, position: result.position });
      return { outcome: 'ok', status: sent.type === 'RegisterUser' ? 201 : 200, route };
    } catch (error) {
      emitCommand(request, sent.type, started, { ok: false, error: describe(error) });
      return failure(error, route);
    }
  };

  const emitCommand = (request: LabRequest, name: string, started: number, outcome: { ok: boolean; position?: number; error?: string }) => {
    const requestId = ctx.currentRequestId();
    ctx.emit({
      type: 'cqrs.command',
      ...(requestId !== undefined && { requestId }),
      clientKey: request.clientKey,
      command: name,
      durationMs: ctx.clock.now() - started,
      ...outcome,
    });
  };

  const query = async (request: LabRequest, userId: number): Promise<LabResult> => {
    const started = ctx.clock.now();
    const { consistency } = settings;
    // What this client had been told when it asked: its answer must include it, unless consistency is eventual.
    const expected = { ...(told.get(userId) ?? { orders: 0, cents: 0, position: 0 }) };
    // The query whose freshness the client can judge: its own summary. (ListTopCustomers reads the same
    // read model; the lab leaves it out because no client could tell whether its answer was stale.)
    const name = 'GetUserSummary';
    const route = `query ${name}`;
    const options =
      consistency === 'eventual' ? {} : { after: expected.position, strategy: consistency === 'write-side' ? ('write-side' as const) : ('wait' as const) };
    const base = { type: 'cqrs.query' as const, clientKey: request.clientKey, query: name, consistency };
    const requestId = ctx.currentRequestId();
    const ids = requestId !== undefined ? { requestId } : {};
    try {
      const answer = await reads.ask({ type: 'GetUserSummary', userId }, { ...options, signal: stopping.signal });
      if (stopping.signal.aborted) return { outcome: 'error', status: 503, route, error: 'the lab stopped' };
      const { source } = answer;
      // Stale: the answer misses the account, or an order, this client was told about before it asked.
      const stale = answer.result === undefined || answer.result.orderCount < expected.orders;
      if (stale) staleReads++;
      ctx.invariant(
        'read-your-writes',
        consistency === 'eventual' || !stale,
        () =>
          `${request.id} (${request.clientKey}, ${consistency}) read user ${userId} with ${answer.result?.orderCount ?? 'no'} orders from the ${source}, ` +
          `after being told ${expected.orders} were placed, the last at position ${expected.position}`,
      );
      ctx.emit({ ...base, ...ids, ok: true, stale, staleReads, source, waitedMs: ctx.clock.now() - started, ...(options.after !== undefined && { wantedPosition: options.after }) });
      return { outcome: 'ok', status: 200, route };
    } catch (error) {
      // Stopped while it waited: said to nobody, the run is over.
      if (stopping.signal.aborted) return { outcome: 'error', status: 503, route, error: 'the lab stopped' };
      ctx.emit({ ...base, ...ids, ok: false, stale: false, staleReads, waitedMs: ctx.clock.now() - started, error: describe(error) });
      return failure(error, route);
    }
  };

  // ---- The projection, on the run's clock. ----
  /** The lab's own count of what the events say, per user, up to `countedTo`. */
  const counted = new Map<number, { orders: number; cents: number }>();
  let countedTo = 0;
  const countEvents = async (upTo: number) => {
    if (upTo < countedTo) {
      counted.clear();
      countedTo = 0;
    }
    while (countedTo < upTo) {
      // Its own reading of the log, not the feed of write-side.ts: the lab checks the code, it does not reuse it.
      const rows = await ctx.db.all<{ position: number; data: string }>(
        'SELECT position, data FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT 500',
        countedTo,
        upTo,
      );
      if (rows.length === 0) break;
      for (const { position, data } of rows) {
        countEvent(JSON.parse(data) as DomainEvent);
        countedTo = position;
      }
    }
  };
  const countEvent = (event: DomainEvent) => {
    if (event.type === 'UserRegistered') counted.set(event.userId, { orders: 0, cents: 0 });
    else {
      const user = counted.get(event.userId);
      if (user) {
        user.orders++;
        user.cents += event.amountCents;
      }
    }
    if (counted.size > KNOWN_USERS) counted.delete(counted.keys().next().value!);
  };

  /** The invariant: the rows of the users in `userIds` are what the events up to the stored position say. */
  const checkReadModel = async (userIds: number[]) => {
    let snapshot: { position: number; rows: Array<{ user_id: number; order_count: number; total_cents: number }> };
    if (stopping.signal.aborted) return;
    try {
      // One snapshot: the position and the rows as one transaction sees them.
      snapshot = await ctx.db.transaction(async (tx) => ({
        position: await projection.position(tx),
        rows: await tx.all(`SELECT user_id, order_count, total_cents FROM user_summaries WHERE user_id IN (${userIds.map(() => '?').join(', ')})`, ...userIds),
      }));
      await countEvents(snapshot.position);
    } catch {
      return; // The lab could not look (a busy database): the next batch checks again.
    }
    if (stopping.signal.aborted) return;
    const rows = new Map(snapshot.rows.map((row) => [row.user_id, row]));
    for (const userId of userIds) {
      const expected = counted.get(userId);
      if (expected === undefined) continue; // registered after the stored position, or forgotten
      const row = rows.get(userId);
      ctx.invariant(
        'read-model-matches-events',
        row !== undefined && row.order_count === expected.orders && row.total_cents === expected.cents,
        () =>
          row === undefined
            ? `at position ${snapshot.position} the read model has no row for user ${userId}, whom the events registered`
            : `at position ${snapshot.position} the read model says user ${userId} placed ${row.order_count} orders for ${row.total_cents} cents; ` +
              `the events say ${expected.orders} for ${expected.cents} (${row.order_count - expected.orders} counted twice)`,
      );
    }
  };

  const usersOf = (batch: ReadonlyArray<{ event: DomainEvent }>) => [...new Set(batch.map(({ event }) => event.userId))];

  /**
   * What the read model held, and up to where, when the rebuild under way began: a rebuild whose replay
   * failed half-way (a busy database) starts again at the next poll, and must compare with the read
   * model as it was, not as it was left half-rebuilt.
   */
  let rebuilding: { before: { orders: number; cents: number }; upTo: number } | undefined;
  const rebuild = async (reason: string) => {
    const sums = async () =>
      (await ctx.db.get<{ orders: number; cents: number }>('SELECT COALESCE(SUM(order_count), 0) AS orders, COALESCE(SUM(total_cents), 0) AS cents FROM user_summaries'))!;
    rebuilding ??= { before: await sums(), upTo: await projection.position() };
    const { before, upTo } = rebuilding;
    stillRunning();
    await projection.rebuild();
    // Back to where it was, so before and after count the same events.
    for (let from = 0; from < upTo; ) {
      const batch = (await readEvents(ctx.db, from, settings.batchSize)).filter((e) => e.position <= upTo);
      if (batch.length === 0) break;
      stillRunning();
      from = (await projection.apply(batch)).position;
    }
    const after = await sums();
    stillRunning();
    await recordBuild(settings.readModelVersion);
    rebuildWanted = undefined;
    rebuilding = undefined;
    const change = { ordersBefore: before.orders, ordersAfter: after.orders, centsBefore: before.cents, centsAfter: after.cents };
    ctx.emit({ type: 'cqrs.rebuild', projection: projection.name, version: settings.readModelVersion, reason, position: upTo, ...change });
    const diff = change.ordersBefore - change.ordersAfter;
    ctx.log[diff === 0 ? 'info' : 'warn'](
      `read model rebuilt from zero up to position ${upTo} (${reason}): ${change.ordersAfter} orders` +
        (diff === 0 ? ', as before' : `, ${Math.abs(diff)} ${diff > 0 ? 'fewer' : 'more'} than before`),
      change,
    );
  };

  /** How far behind the read model is now: events written but not applied, and the age of the oldest of them. */
  const measureLag = async () => {
    try {
      const position = await projection.position();
      const head = await headOf(ctx.db);
      const oldest = await ctx.db.get<{ recorded_at: number }>('SELECT recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1', position);
      return { head: head.position, eventsBehind: Math.max(0, head.position - position), msBehind: oldest ? ctx.clock.now() - oldest.recorded_at : 0 };
    } catch {
      return undefined; // A busy database: the next poll measures it.
    }
  };

  let failing = false;
  const poll = async () => {
    // The lag as the projection finds it when it wakes up: what a query would have read just now.
    const lag = await measureLag();
    let applied = 0;
    let skipped = 0;
    let redelivered = false;
    let position: number | undefined;
    let error: string | undefined;
    try {
      if (rebuildWanted !== undefined) await rebuild(rebuildWanted);
      await projectionFault.hit();
      const batch = await readEvents(ctx.db, await projection.position(), settings.batchSize);
      if (batch.length > 0) {
        // The slow part of a slow projection: while it works on this batch, the write side goes on.
        if (settings.projectionDelayMs > 0) await ctx.clock.sleep(settings.projectionDelayMs, stopping.signal);
        stillRunning();
        const first = await projection.apply(batch);
        applied += first.applied;
        skipped += first.skipped;
        position = first.position;
        await checkReadModel(usersOf(batch));
        // At-least-once delivery: the acknowledgement of this batch was lost, so it comes again.
        if (settings.redeliveryShare > 0 && ctx.random.next() < settings.redeliveryShare) {
          redelivered = true;
          stillRunning();
          const again = await projection.apply(batch);
          applied += again.applied;
          skipped += again.skipped;
          position = again.position;
          await checkReadModel(usersOf(batch));
        }
      }
    } catch (caught) {
      if (stopping.signal.aborted) return;
      error = describe(caught);
    }
    if (stopping.signal.aborted) return;
    if (error !== undefined && !failing) ctx.log.warn(`the projection failed a batch: ${error}; it retries from its stored position`, { error });
    if (error === undefined && failing) ctx.log.info('the projection applies batches again');
    failing = error !== undefined;
    if (lag === undefined) return;
    position ??= lag.head - lag.eventsBehind;
    ctx.emit({
      type: 'cqrs.projection',
      projection: projection.name,
      position,
      ...lag,
      caughtUp: position >= lag.head,
      applied,
      skipped,
      redelivered,
      ok: error === undefined,
      ...(error !== undefined && { error }),
    });
  };

  // The projection's loop on the run's clock: dispose() aborts its sleep, and it ends.
  void (async () => {
    while (!stopping.signal.aborted) {
      try {
        await ctx.clock.sleep(settings.pollIntervalMs, stopping.signal);
      } catch {
        return;
      }
      // A poll reports its own failures; anything else is the lab's bug, said in the logs, and the loop goes on.
      await poll().catch((error: unknown) => ctx.log.error(`the projection's poll failed: ${describe(error)}`));
    }
  })();

  ctx.log.info(`projection ${projection.name} polls every ${settings.pollIntervalMs} ms; queries read ${settings.consistency}`, { ...settings });

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const userId = actingAs.get(request.clientKey);
      if (userId !== undefined && ctx.random.next() < settings.queryShare) return query(request, userId);
      if (userId === undefined || ctx.random.next() < REGISTER_SHARE) {
        // A new account per request id: unique in the run, across deploys too.
        return command(request, { type: 'RegisterUser', email: `${request.id}.${ctx.clock.now()}@example.com`.toLowerCase(), name: `Member ${request.id}` });
      }
      const amountCents = MIN_ORDER_CENTS + Math.floor(ctx.random.next() * (MAX_ORDER_CENTS - MIN_ORDER_CENTS));
      return command(request, { type: 'PlaceOrder', userId, amountCents });
    },
    updateParams(params: Params) {
      const previous = settings;
      settings = ordersParams.read(params);
      reads = makeReadSide();
      if (settings.readModelVersion !== previous.readModelVersion) rebuildWanted = `read model version ${previous.readModelVersion} → ${settings.readModelVersion}`;
      ctx.log.info(`queries read ${settings.consistency}; projection polls every ${settings.pollIntervalMs} ms`, { ...settings });
    },
    dispose() {
      // The loop stops at its next step; a statement or fault delay already under way finishes on its own,
      // and then the poll, the rebuild or the query it was part of writes and emits nothing more.
      stopping.abort();
    },
  };
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** How each failure reads in the request log: a refused command is the client's, the rest the service's. */
const failure = (error: unknown, route: string): LabResult => {
  const message = describe(error);
  if (error instanceof InvalidCommand) return { outcome: 'rejected', status: 422, route, error: message };
  if (error instanceof ReadModelBehind) return { outcome: 'error', status: 503, route, error: message };
  if (isDatabaseError(error) && /BUSY|LOCKED/.test(error.code)) return { outcome: 'error', status: 503, route, error: message };
  // NoHandler and every other exception: a bug of the service, a plain 500.
  return { outcome: 'error', status: 500, route, error: message };
};

/** The lab's own set-up tries again while an injected fault says the database is busy. */
const retryWhileBusy = async <T>(clock: Clock, fn: () => Promise<T>, attempts = 50, delayMs = 100): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const busy = isDatabaseError(error) && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'));
      if (!busy || attempt >= attempts) throw error;
      await clock.sleep(delayMs);
    }
  }
};
