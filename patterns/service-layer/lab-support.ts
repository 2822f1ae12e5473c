/**
 * The sign-up lab's machinery, beside lab.ts: tracing each layer by
 * decorating it, and applying the schema of repository.ts to a database that
 * outlives the code. Readable, not editable: none of it is the pattern.
 */
import { isDatabaseError, type Clock, type LabDatabase } from '../kit/index.ts';
import type { SignUp, User } from './domain.ts';
import type { UnitOfWork, UserRepository } from './repository.ts';
import type { Users } from './routes.ts';
import type { EmailCheck } from './user-service.ts';

export type Layer = 'route' | 'service' | 'repository' | 'collaborator';

export interface Span {
  layer: Layer;
  name: string;
  durationMs: number;
  ok: boolean;
  error?: string;
}

/** Runs `fn` as one span of `layer`: timed on the clock, recorded when it settles. */
export type Trace = <T>(layer: Layer, name: string, fn: () => Promise<T>) => Promise<T>;

export const makeTrace =
  (clock: Clock, record: (span: Span) => void): Trace =>
  async (layer, name, fn) => {
    const start = clock.now();
    try {
      const value = await fn();
      record({ layer, name, durationMs: clock.now() - start, ok: true });
      return value;
    } catch (error) {
      record({ layer, name, durationMs: clock.now() - start, ok: false, error: error instanceof Error ? error.name : String(error) });
      throw error;
    }
  };

/*
 * Each layer is traced by wrapping it in an object with the same interface:
 * the service and the routes cannot tell, because they only ever see the
 * interfaces their constructors ask for. (That is the seam a service layer
 * gives you: here it carries tracing, elsewhere caching or a fake.)
 */

export const tracedRepository = (users: UserRepository, trace: Trace): UserRepository => ({
  get: (id) => trace('repository', 'get', () => users.get(id)),
  findByEmail: (email) => trace('repository', 'findByEmail', () => users.findByEmail(email)),
  add: (user) => trace('repository', 'add', () => users.add(user)),
});

/** The repository each unit hands out is traced too. */
export const tracedUnitOfWork = (unitOfWork: UnitOfWork, trace: Trace): UnitOfWork => ({
  run: (work) => unitOfWork.run((users) => work(tracedRepository(users, trace))),
});

export const tracedEmailCheck = (check: EmailCheck, trace: Trace): EmailCheck => ({
  deliverable: (email) => trace('collaborator', 'emailCheck', () => check.deliverable(email)),
});

export const tracedUsers = (users: Users, trace: Trace): Users => ({
  signUp: (input: SignUp): Promise<User> => trace('service', 'signUp', () => users.signUp(input)),
  getUser: (id: number): Promise<User> => trace('service', 'getUser', () => users.getUser(id)),
});

export interface SchemaResult {
  created: boolean;
  kept: number;
  dropped: number;
}

const COLUMNS = 'id, email, name, version, created_at';

/**
 * Applies `schema` (which creates the `users` table) to `db`, keeping its
 * rows. The run's database outlives every deploy, so `CREATE TABLE IF NOT
 * EXISTS` alone would leave the table of the first code that ran: deploy a
 * schema without UNIQUE, then one with it, and the constraint would never
 * appear. So the table is re-created from the code's schema each time and the
 * rows copied back; rows the new schema refuses (a second user with the same
 * email, under a new UNIQUE) are dropped, the first of each kept. In one
 * transaction: requests wait for it, and a schema that fails leaves the old
 * table as it was. (In production this is a migration that someone writes and
 * reviews, deciding what to do with the duplicates; here the lab decides, and
 * says what it dropped.)
 */
export const applySchema = (db: LabDatabase, schema: string): Promise<SchemaResult> =>
  db.transaction(async (tx) => {
    const existing = await tx.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'");
    if (!existing) {
      await tx.exec(schema);
      return { created: true, kept: 0, dropped: 0 };
    }
    await tx.exec(`DROP TABLE IF EXISTS temp.users_before; CREATE TEMP TABLE users_before AS SELECT ${COLUMNS} FROM users`);
    await tx.exec('DROP TABLE users');
    await tx.exec(schema);
    const { changes } = await tx.run(`INSERT OR IGNORE INTO users (${COLUMNS}) SELECT ${COLUMNS} FROM temp.users_before ORDER BY id`);
    const before = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM temp.users_before');
    await tx.exec('DROP TABLE temp.users_before');
    return { created: false, kept: changes, dropped: before!.n - changes };
  });

/**
 * The lab's own set-up tries again while an injected fault says the database
 * is busy: a deploy during a database fault must not fail the run (the lab is
 * not the code under test; its requests are).
 */
export const retryWhileBusy = async <T>(clock: Clock, fn: () => Promise<T>, attempts = 50, delayMs = 100): Promise<T> => {
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
