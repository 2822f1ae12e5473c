/**
 * The read side: queries answered from the read model only (the tables the
 * projection builds), never from the write side's tables. A read model is
 * eventually consistent: it is behind the write side by however many events
 * the projection has not applied yet. A client that must see its own write
 * brings the position its command returned, and the read side keeps that
 * promise one of two ways:
 *
 * - `wait`: wait until the read model has reached the position (up to a
 *   timeout, then ReadModelBehind: better no answer than a wrong one);
 * - `write-side`: if the read model is behind it, read this one answer from
 *   the write side, which is always up to date.
 *
 *   const { position } = await bus.execute({ type: 'PlaceOrder', userId, amountCents });
 *   const { result } = await reads.ask({ type: 'GetUserSummary', userId }, { after: position });
 */
import type { Clock, LabDatabase } from '../kit/index.ts';
import { ReadModelBehind, type Query, type QueryOf, type QueryResults, type QueryType, type UserSummary } from './messages.ts';
import type { UserSummaryProjection } from './projection.ts';

export type ReadYourWrites = 'wait' | 'write-side';

export interface AskOptions {
  /** The position the client's own last command returned: the answer must include it. */
  after?: number;
  /** How to keep that promise; default `wait`. Only `GetUserSummary` has a write-side twin: other queries wait. */
  strategy?: ReadYourWrites;
  /** Ends the wait early (the caller is going away): `ask` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface Answer<T extends QueryType> {
  result: QueryResults[T];
  /** Where the answer came from. */
  source: 'read-model' | 'write-side';
  /** How long it waited for the read model to catch up. */
  waitedMs: number;
}

/** The write side's one read, for `write-side`: a user's summary from its own tables. */
export interface WriteSideReads {
  summaryOf(userId: number): Promise<UserSummary | undefined>;
}

export interface ReadSideOptions {
  db: LabDatabase;
  clock: Clock;
  projection: Pick<UserSummaryProjection, 'position'>;
  writeSide: WriteSideReads;
  /** How long `wait` waits for the read model at most. Default 1 s. */
  waitTimeoutMs?: number;
  /** How often `wait` looks at the read model's position. Default 10 ms. */
  pollMs?: number;
}

interface SummaryRow {
  user_id: number;
  email: string;
  name: string;
  order_count: number;
  total_cents: number;
}

const toSummary = (row: SummaryRow): UserSummary => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  orderCount: row.order_count,
  totalCents: row.total_cents,
});

export class ReadSide {
  private readonly options: Required<ReadSideOptions>;

  constructor(options: ReadSideOptions) {
    this.options = { waitTimeoutMs: 1_000, pollMs: 10, ...options };
  }

  async ask<T extends QueryType>(query: QueryOf<T>, { after, strategy = 'wait', signal }: AskOptions = {}): Promise<Answer<T>> {
    const { db, clock, projection, waitTimeoutMs, pollMs } = this.options;
    const started = clock.now();
    if (after === undefined) {
      const result = await this.fromReadModel(db, query);
      return { result: result as QueryResults[T], source: 'read-model', waitedMs: clock.now() - started };
    }
    let reached = await projection.position();
    for (;;) {
      if (reached >= after) {
        // The last look and the read in one transaction, so both see the same read model: a rebuild
        // between them (the position back to 0, the rows gone) would otherwise serve a stale answer.
        const read = await db.transaction(async (tx) => {
          reached = await projection.position(tx);
          return reached >= after ? { result: await this.fromReadModel(tx, query) } : undefined;
        });
        if (read !== undefined) return { result: read.result as QueryResults[T], source: 'read-model', waitedMs: clock.now() - started };
        // It went back in the meantime: behind again.
      }
      if (strategy === 'write-side' && query.type === 'GetUserSummary') {
        const result = await this.options.writeSide.summaryOf((query as QueryOf<'GetUserSummary'>).userId);
        return { result: result as QueryResults[T], source: 'write-side', waitedMs: 0 };
      }
      const waitedMs = clock.now() - started;
      if (waitedMs >= waitTimeoutMs) throw new ReadModelBehind(after, reached, waitedMs);
      await clock.sleep(Math.min(pollMs, waitTimeoutMs - waitedMs), signal);
      reached = await projection.position();
    }
  }

  private async fromReadModel(db: LabDatabase, query: Query): Promise<QueryResults[QueryType]> {
    switch (query.type) {
      case 'GetUserSummary': {
        const row = await db.get<SummaryRow>('SELECT * FROM user_summaries WHERE user_id = ?', query.userId);
        return row && toSummary(row);
      }
      case 'ListTopCustomers': {
        if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) throw new RangeError(`limit must be 1 to 100, not ${query.limit}`);
        const rows = await db.all<SummaryRow>('SELECT * FROM user_summaries ORDER BY total_cents DESC, user_id LIMIT ?', query.limit);
        return rows.map(toSummary);
      }
    }
  }
}
