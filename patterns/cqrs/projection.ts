/**
 * The projection: it reads the write side's events in order and builds the
 * read model from them, one row per user with their orders already counted
 * and summed, so that a query is one indexed read. It stores how far it got
 * (its position) in the same transaction as the rows it changed, so it
 * resumes where it stopped after a crash or a deploy, and it can always be
 * rebuilt from zero: the events are the truth, the read model a copy of them
 * shaped for reading.
 *
 * Events reach it at least once: a batch whose acknowledgement was lost is
 * delivered again. So applying is idempotent: an event at or below the
 * stored position has been applied already and is skipped.
 */
import type { LabDatabase } from '../kit/index.ts';
import type { RecordedEvent } from './messages.ts';

export const READ_MODEL_SCHEMA = `
CREATE TABLE IF NOT EXISTS user_summaries (
  user_id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  order_count INTEGER NOT NULL DEFAULT 0,
  total_cents INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS projection_positions (
  projection TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);`;

/** What one call of `apply` did. */
export interface Applied {
  /** Events that changed the read model. */
  applied: number;
  /** Events skipped because they were applied before (delivered again). */
  skipped: number;
  /** The stored position afterwards. */
  position: number;
}

export class UserSummaryProjection {
  readonly name = 'user-summaries';
  private readonly db: LabDatabase;

  constructor(options: { db: LabDatabase }) {
    this.db = options.db;
  }

  /** Creates the read model's tables where they are missing. */
  async setUp(): Promise<void> {
    await this.db.exec(READ_MODEL_SCHEMA);
  }

  /** The position of the last event applied (0 before the first). */
  async position(db: LabDatabase = this.db): Promise<number> {
    const row = await db.get<{ position: number }>('SELECT position FROM projection_positions WHERE projection = ?', this.name);
    return row?.position ?? 0;
  }

  /**
   * Applies a batch of events, in order, and stores the new position: all in
   * one transaction, so a failure half-way applies none of it and the batch
   * comes again.
   */
  async apply(batch: readonly RecordedEvent[]): Promise<Applied> {
    return this.db.transaction(async (tx) => {
      let position = await this.position(tx);
      let applied = 0;
      let skipped = 0;
      for (const recorded of batch) {
        // Delivered again: already in the read model. Applying it twice would count an order twice.
        if (recorded.position <= position) {
          skipped++;
          continue;
        }
        await this.applyOne(tx, recorded);
        position = recorded.position;
        applied++;
      }
      await tx.run(
        'INSERT INTO projection_positions (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
        this.name,
        position,
      );
      return { applied, skipped, position };
    });
  }

  /** Empties the read model and sets the position back to 0: the next batches rebuild it from the first event. */
  async rebuild(): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Dropped, not emptied: the table is made again from READ_MODEL_SCHEMA as it is now.
      await tx.exec('DROP TABLE IF EXISTS user_summaries');
      await tx.exec(READ_MODEL_SCHEMA);
      await tx.run('DELETE FROM projection_positions WHERE projection = ?', this.name);
    });
  }

  private async applyOne(tx: LabDatabase, { event }: RecordedEvent): Promise<void> {
    switch (event.type) {
      case 'UserRegistered':
        // Setting a row is idempotent by itself; adding to a count (below) is not.
        await tx.run(
          'INSERT INTO user_summaries (user_id, email, name) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING',
          event.userId,
          event.email,
          event.name,
        );
        return;
      case 'OrderPlaced':
        await tx.run(
          'UPDATE user_summaries SET order_count = order_count + 1, total_cents = total_cents + ? WHERE user_id = ?',
          event.amountCents,
          event.userId,
        );
        return;
    }
  }
}
