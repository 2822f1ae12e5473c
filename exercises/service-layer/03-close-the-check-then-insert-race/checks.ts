import { DatabaseError, defineChecks, isDatabaseError, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { User } from '../../../patterns/service-layer/domain.ts';
import { EmailTaken } from '../../../patterns/service-layer/errors.ts';
import { SqlUnitOfWork, SqlUserRepository, USERS_SCHEMA } from '../../../patterns/service-layer/repository.ts';
import { UserService } from '../../../patterns/service-layer/user-service.ts';

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Lets virtual time pass until every promise has settled (statements answer between the clock's steps). */
const settleAll = async <T>(clock: VirtualClock, promises: Array<Promise<T>>): Promise<Array<PromiseSettledResult<T>>> => {
  let done = false;
  const all = Promise.allSettled(promises);
  void all.then(() => (done = true));
  for (let step = 0; !done && step < 1_000; step++) await clock.advance(5);
  return all;
};

/** The sign-up service over `db`, with an email check that takes 30 ms: the window between look-up and insert. */
const makeService = (db: LabDatabase, clock: VirtualClock) =>
  new UserService({
    users: new SqlUserRepository(db, clock),
    unitOfWork: new SqlUnitOfWork(db, clock),
    emailCheck: { deliverable: async () => (await clock.sleep(30), true) },
  });

const countUsers = async (db: LabDatabase, email: string) => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE email = ?', email))!.n;

export default defineChecks([
  {
    task: 1,
    name: 'the users table itself refuses a second row with the same email',
    async run({ db, expect }) {
      await db.exec(USERS_SCHEMA);
      const insert = () => db.run('INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, 0)', 'ada@example.com', 'Ada');
      await insert();
      const error = await expect.rejects(insert, 'a second INSERT of ada@example.com, straight into the table');
      expect.ok(isDatabaseError(error), `the database should refuse it with its own error, got ${show(error)}`);
      expect.equal(await countUsers(db, 'ada@example.com'), 1, 'rows for ada@example.com');
    },
  },
  {
    task: 1,
    name: 'five concurrent sign-ups for one address create exactly one user; the others are EmailTaken',
    async run({ db, clock, expect }) {
      await db.exec(USERS_SCHEMA);
      const service = makeService(db, clock);
      const results = await settleAll(
        clock,
        [1, 2, 3, 4, 5].map((n) => service.signUp({ email: 'ada@example.com', name: `Ada ${n}` })),
      );
      const created = results.filter((r): r is PromiseFulfilledResult<User> => r.status === 'fulfilled');
      expect.equal(await countUsers(db, 'ada@example.com'), 1, 'users with ada@example.com after five concurrent sign-ups');
      expect.equal(created.length, 1, 'sign-ups answered as created');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      const other = refused.find((e) => !(e instanceof EmailTaken));
      if (other !== undefined) expect.fail(`every refused sign-up should be EmailTaken, one threw ${show(other)}`);
    },
  },
  {
    task: 2,
    name: 'adding a taken email throws EmailTaken, not a database error, and leaves nothing behind',
    async run({ db, clock, expect }) {
      await db.exec(USERS_SCHEMA);
      const unitOfWork = new SqlUnitOfWork(db, clock);
      await unitOfWork.run((users) => users.add({ email: 'ada@example.com', name: 'Ada' }));
      const error = await expect.rejects(
        () => unitOfWork.run((users) => users.add({ email: 'ada@example.com', name: 'Ada again' })),
        'adding ada@example.com a second time',
      );
      expect.ok(error instanceof EmailTaken, `it should throw EmailTaken, it threw ${show(error)}`);
      expect.equal((error as EmailTaken).email, 'ada@example.com', 'the email EmailTaken names');
      const grace = await unitOfWork.run((users) => users.add({ email: 'grace@example.com', name: 'Grace' }));
      expect.equal(grace.email, 'grace@example.com', 'a sign-up with another email right after');
      expect.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))!.n, 2, 'users stored');
    },
  },
  {
    task: 2,
    name: 'any other database error goes up unchanged: a busy database is not a taken email',
    async run({ db, clock, expect }) {
      await db.exec(USERS_SCHEMA);
      // The run's database, except that every INSERT is refused as busy or as another constraint,
      // whichever method sends it (run, get or all) and inside a transaction too.
      const failing = (code: string, message: string): LabDatabase => {
        const refuseInsert = (sql: string) => {
          if (/^\s*INSERT/i.test(sql)) throw new DatabaseError(code, message);
        };
        const wrapped: LabDatabase = {
          exec: (sql) => db.exec(sql),
          run: async (sql, ...params) => (refuseInsert(sql), db.run(sql, ...params)),
          get: async (sql, ...params) => (refuseInsert(sql), db.get(sql, ...params)),
          all: async (sql, ...params) => (refuseInsert(sql), db.all(sql, ...params)),
          transaction: (fn) => db.transaction(() => fn(wrapped)),
        };
        return wrapped;
      };
      for (const [code, message] of [
        ['SQLITE_BUSY', 'database is locked'],
        ['SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: users.name'],
      ] as const) {
        const users = new SqlUserRepository(failing(code, message), clock);
        const error = await expect.rejects(() => users.add({ email: 'ada@example.com', name: 'Ada' }), `add while every INSERT fails with ${code}`);
        expect.ok(isDatabaseError(error) && error.code === code, `add should let ${code} go up unchanged, it threw ${show(error)}`);
      }
    },
  },
]);
