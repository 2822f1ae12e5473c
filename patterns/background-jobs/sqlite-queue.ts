/**
 * A durable job queue in one SQLite table: the embedded engine. Enqueueing is
 * one INSERT, so the request that asked for the work gets its id back at once
 * and the work survives a crash of the process that accepted it. Workers pull
 * jobs with `claim`, which leases a job to one of them; every later call
 * presents the lease's token, and a job whose lease runs out (its worker died,
 * hung or lost the database) is taken back by `recoverExpired` and runs again
 * on another worker: delivery is at least once.
 *
 * It implements the kit's `JobQueue`, the interface a BullMQ engine shares.
 */
import type {
  ClaimedJob,
  Clock,
  Enqueued,
  EnqueueOptions,
  FailOutcome,
  Failure,
  Job,
  JobData,
  JobQueue,
  JobState,
  LabDatabase,
  Lease,
  Random,
  RecoveredJob,
  SqlValue,
} from '../kit/index.ts';
import { JOB_STATES, LeaseLostError } from '../kit/index.ts';

/** BullMQ's highest priority number; 0 runs first. */
export const MAX_PRIORITY = 2_097_152;
export const DEFAULT_ATTEMPTS = 3;

/**
 * `IF NOT EXISTS`: the table belongs to the run, not to this code, so a
 * redeploy (or a learner's edit) finds the jobs the last version accepted.
 * The index serves `claim`: the ready jobs, in the order they run.
 */
export const JOBS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'retrying', 'completed', 'dead')),
    priority INTEGER NOT NULL,
    attempts_made INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    finished_at INTEGER,
    last_error TEXT,
    result TEXT,
    worker_id TEXT,
    lease_token TEXT,
    lease_expires_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, priority, run_at, seq);
`;

export const ensureJobsTable = (db: LabDatabase): Promise<void> => db.exec(JOBS_SCHEMA);

interface JobRow {
  id: string;
  name: string;
  data: string;
  state: JobState;
  priority: number;
  attempts_made: number;
  max_attempts: number;
  created_at: number;
  run_at: number;
  finished_at: number | null;
  last_error: string | null;
  result: string | null;
  worker_id: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
}

const toJob = (row: JobRow): Job => ({
  id: row.id,
  name: row.name,
  data: JSON.parse(row.data) as JobData,
  state: row.state,
  priority: row.priority,
  attemptsMade: row.attempts_made,
  maxAttempts: row.max_attempts,
  createdAt: row.created_at,
  runAt: row.run_at,
  ...(row.finished_at !== null && { finishedAt: row.finished_at }),
  ...(row.last_error !== null && { lastError: row.last_error }),
  ...(row.result !== null && { result: JSON.parse(row.result) as JobData }),
  ...(row.worker_id !== null && { workerId: row.worker_id }),
  ...(row.lease_expires_at !== null && { leaseExpiresAt: row.lease_expires_at }),
});

/** What clears a lease, in every statement that ends one. */
const NO_LEASE = 'worker_id = NULL, lease_token = NULL, lease_expires_at = NULL';
/** The one condition under which a lease is honoured: still this job's, and not lapsed. */
const LEASE_HOLDS = `id = ? AND state = 'active' AND lease_token = ? AND lease_expires_at > ?`;

export interface SqliteJobQueueOptions {
  db: LabDatabase;
  clock: Clock;
  /** Seeded: lease tokens are drawn from it, so a run replays the same. */
  random: Random;
}

export class SqliteJobQueue implements JobQueue {
  private readonly db: LabDatabase;
  private readonly clock: Clock;
  private readonly random: Random;

  constructor({ db, clock, random }: SqliteJobQueueOptions) {
    this.db = db;
    this.clock = clock;
    this.random = random;
  }

  /** A queue on `db`, its table created if this is the run's first. */
  static async open(options: SqliteJobQueueOptions): Promise<SqliteJobQueue> {
    await ensureJobsTable(options.db);
    return new SqliteJobQueue(options);
  }

  async enqueue<T extends JobData>(name: string, data: T, options: EnqueueOptions = {}): Promise<Enqueued> {
    const { key, priority = 0, delayMs = 0, attempts = DEFAULT_ATTEMPTS } = options;
    if (typeof name !== 'string' || name === '') throw new TypeError('enqueue needs a job name (the handler to run)');
    if (key !== undefined && (typeof key !== 'string' || key === '' || /^\d+$/.test(key) || key.includes(':'))) {
      throw new TypeError(`the key must be a non-empty string, not all digits (generated ids are), with no ':' (BullMQ refuses it), got ${JSON.stringify(key)}`);
    }
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new RangeError(`priority must be an integer from 0 (first) to ${MAX_PRIORITY}, got ${priority}`);
    }
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a number of ms >= 0, got ${delayMs}`);
    if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);

    const now = this.clock.wallNow();
    // One statement, so two enqueues of one key cannot both insert: the UNIQUE id
    // decides, and the loser (no row returned) learns it created nothing. Without a key the id is
    // the next number, computed inside the same statement.
    const inserted = await this.db.get<Pick<JobRow, 'id' | 'state'>>(
      `INSERT INTO jobs (id, name, data, state, priority, max_attempts, created_at, run_at)
       VALUES (COALESCE(?, CAST((SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs) AS TEXT)), ?, ?, 'queued', ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, state`,
      key ?? null,
      name,
      JSON.stringify(data),
      priority,
      attempts,
      now,
      now + delayMs,
    );
    if (inserted) return { id: inserted.id, created: true, state: inserted.state };
    // The key was taken: that job is the answer, in whatever state it is now.
    const existing = await this.db.get<Pick<JobRow, 'id' | 'state'>>('SELECT id, state FROM jobs WHERE id = ?', key!);
    if (!existing) throw new Error(`the job ${key} was neither inserted nor found`);
    return { id: existing.id, created: false, state: existing.state };
  }

  async claim(workerId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    if (!(leaseMs > 0) || !Number.isFinite(leaseMs)) throw new RangeError(`the lease must last a number of ms > 0, got ${leaseMs}`);
    const now = this.clock.wallNow();
    const token = this.newToken();
    // Pick and lease in one statement: two workers claiming at once cannot get one job. On SQLite
    // (one writer at a time) the statement is atomic as it is; the outer state check is what keeps
    // it right where two transactions can pick the same row (PostgreSQL: or FOR UPDATE SKIP LOCKED).
    const row = await this.db.get<JobRow>(
      `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1,
         worker_id = ?, lease_token = ?, lease_expires_at = ?
       WHERE seq = (SELECT seq FROM jobs WHERE state IN ('queued', 'retrying') AND run_at <= ?
                    ORDER BY priority, run_at, seq LIMIT 1)
         AND state IN ('queued', 'retrying')
       RETURNING *`,
      workerId,
      token,
      now + leaseMs,
      now,
    );
    if (!row) return undefined;
    return {
      job: toJob(row),
      lease: { jobId: row.id, token, workerId, attempt: row.attempts_made, expiresAt: now + leaseMs },
    };
  }

  async extend(lease: Lease, leaseMs: number): Promise<Lease> {
    const now = this.clock.wallNow();
    await this.onlyWithLease(lease, `UPDATE jobs SET lease_expires_at = ? WHERE ${LEASE_HOLDS}`, now + leaseMs);
    return { ...lease, expiresAt: now + leaseMs };
  }

  async complete(lease: Lease, result?: JobData): Promise<void> {
    await this.onlyWithLease(
      lease,
      `UPDATE jobs SET state = 'completed', result = ?, finished_at = ?, ${NO_LEASE} WHERE ${LEASE_HOLDS}`,
      // No result given, none stored (NULL): the job has no `result`. A handler's own null is stored as JSON.
      result === undefined ? null : JSON.stringify(result),
      this.clock.wallNow(),
    );
  }

  async fail(lease: Lease, { error, retryInMs }: Failure): Promise<FailOutcome> {
    const now = this.clock.wallNow();
    const retryAt = now + Math.max(0, retryInMs);
    // The queue decides only whether attempts are left; how long to wait is the worker's call.
    const row = await this.onlyWithLease<Pick<JobRow, 'state' | 'run_at'>>(
      lease,
      `UPDATE jobs SET
         state = CASE WHEN attempts_made >= max_attempts THEN 'dead' ELSE 'retrying' END,
         run_at = CASE WHEN attempts_made >= max_attempts THEN run_at ELSE ? END,
         finished_at = CASE WHEN attempts_made >= max_attempts THEN ? END,
         last_error = ?, ${NO_LEASE}
       WHERE ${LEASE_HOLDS}
       RETURNING state, run_at`,
      retryAt,
      now,
      error,
    );
    return row!.state === 'dead' ? { state: 'dead' } : { state: 'retrying', runAt: row!.run_at };
  }

  async recoverExpired(): Promise<RecoveredJob[]> {
    const now = this.clock.wallNow();
    // Read and update in one transaction, so the jobs reported are exactly the jobs moved.
    return this.db.transaction(async (tx) => {
      const expired = await tx.all<Pick<JobRow, 'id' | 'worker_id' | 'attempts_made' | 'max_attempts'>>(
        `SELECT id, worker_id, attempts_made, max_attempts FROM jobs
         WHERE state = 'active' AND lease_expires_at <= ? ORDER BY seq`,
        now,
      );
      if (expired.length === 0) return [];
      // Retried at once: the worker that had it did not fail it, it stopped answering.
      await tx.run(
        `UPDATE jobs SET
           state = CASE WHEN attempts_made >= max_attempts THEN 'dead' ELSE 'retrying' END,
           run_at = ?,
           finished_at = CASE WHEN attempts_made >= max_attempts THEN ? END,
           last_error = 'lease expired: worker ' || worker_id || ' stopped answering', ${NO_LEASE}
         WHERE state = 'active' AND lease_expires_at <= ?`,
        now,
        now,
        now,
      );
      return expired.map((row) => ({
        jobId: row.id,
        workerId: row.worker_id ?? '',
        attempt: row.attempts_made,
        state: row.attempts_made >= row.max_attempts ? ('dead' as const) : ('retrying' as const),
      }));
    });
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.get<JobRow>('SELECT * FROM jobs WHERE id = ?', id);
    return row && toJob(row);
  }

  async counts(): Promise<Record<JobState, number>> {
    const rows = await this.db.all<{ state: JobState; n: number }>('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state');
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /**
   * Runs `sql` (ending in `WHERE ${LEASE_HOLDS}`) for the lease's job, and
   * refuses with LeaseLostError when it matched nothing: the lease lapsed, was
   * taken back, or the job is finished.
   */
  private async onlyWithLease<T = undefined>(lease: Lease, sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    const holds = [lease.jobId, lease.token, this.clock.wallNow()];
    if (/\bRETURNING\b/.test(sql)) {
      const row = await this.db.get<T>(sql, ...params, ...holds);
      if (!row) throw new LeaseLostError(lease.jobId, lease.token);
      return row;
    }
    const { changes } = await this.db.run(sql, ...params, ...holds);
    if (changes === 0) throw new LeaseLostError(lease.jobId, lease.token);
    return undefined;
  }

  private newToken(): string {
    return Math.floor(this.random.next() * 2 ** 48)
      .toString(36)
      .padStart(10, '0');
  }
}
