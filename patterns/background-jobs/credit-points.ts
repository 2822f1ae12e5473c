/**
 * The lab's job: credit a customer's loyalty points for an order. The
 * request that placed the order only enqueued it; a worker does it later.
 *
 * Delivery is at least once: a worker can die after crediting the points and
 * before telling the queue, and then another worker runs the same job again.
 * So the job is idempotent: it records its own id in `credited_jobs` in the
 * same transaction as the credit, and a second run finds the id there and
 * credits nothing. (The id is the only thing two runs of one job share; the
 * points and the customer could be the same for two different orders.)
 *
 * When the effect is outside the database (an email, a card charge), the same
 * rule takes another form: pass the job id to the provider as its
 * idempotency key, so it is the provider that refuses the second one.
 */
import type { Clock, Job, LabDatabase } from '../kit/index.ts';

/** The customers' balances, and the jobs that have credited them. */
export const POINTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS balances (
    customer TEXT PRIMARY KEY,
    points INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS credited_jobs (
    job_id TEXT PRIMARY KEY,
    customer TEXT NOT NULL,
    points INTEGER NOT NULL,
    credited_at INTEGER NOT NULL
  );
`;

export interface CreditOrder {
  customer: string;
  points: number;
}

/** Reads a job's data as a credit, or says what is wrong with it. */
export function creditOf(job: Job): CreditOrder {
  const data = job.data as Partial<CreditOrder> | null;
  if (typeof data?.customer !== 'string' || data.customer === '' || !Number.isInteger(data.points) || data.points! <= 0) {
    throw new TypeError(`job ${job.id}: a credit needs a customer and a whole number of points > 0, got ${JSON.stringify(job.data)}`);
  }
  return { customer: data.customer, points: data.points! };
}

/** Credits the job's points once, however many times the job runs; says whether this run did. */
export async function creditPoints(db: LabDatabase, clock: Clock, job: Job): Promise<{ credited: boolean }> {
  const { customer, points } = creditOf(job);
  return db.transaction(async (tx) => {
    // The marker first: if an earlier run of this job committed, this insert does nothing.
    const { changes } = await tx.run(
      'INSERT INTO credited_jobs (job_id, customer, points, credited_at) VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING',
      job.id,
      customer,
      points,
      clock.wallNow(),
    );
    if (changes === 0) return { credited: false };
    await tx.run(
      'INSERT INTO balances (customer, points) VALUES (?, ?) ON CONFLICT (customer) DO UPDATE SET points = points + excluded.points',
      customer,
      points,
    );
    return { credited: true };
  });
}
