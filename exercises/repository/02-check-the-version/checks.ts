import { defineChecks, type LabDatabase, type VirtualClock } from '../../../patterns/kit/index.ts';
import { isConcurrencyError, isNotFoundError, type ConcurrencyError } from '../../../patterns/repository/errors.ts';
import { ensureSchema, SqliteUserRepository } from '../../../patterns/repository/sqlite-repository.ts';

const makeUsers = async (db: LabDatabase, clock: VirtualClock) => {
  await ensureSchema(db);
  const users = new SqliteUserRepository(db, clock);
  return { users, added: await users.add({ email: 'ada@example.com', name: 'Ada' }) };
};

export default defineChecks([
  {
    task: 1,
    name: 'an update from a stale version is refused with a ConcurrencyError, and changes nothing',
    async run({ db, clock, expect }) {
      const { users, added } = await makeUsers(db, clock);
      const first = await users.update(added.id, { name: 'First save' }, 1);
      const thrown = await expect.rejects(
        () => users.update(added.id, { email: 'stale@example.com' }, 1),
        'an update expecting version 1 of a user now at version 2',
        isConcurrencyError,
      );
      const { expectedVersion, actualVersion } = thrown as ConcurrencyError;
      expect.equal({ expectedVersion, actualVersion }, { expectedVersion: 1, actualVersion: 2 }, 'the versions the ConcurrencyError names');
      expect.equal(await users.get(added.id), first, 'the stored user after the refused update (it must be as the first save left it)');
    },
  },
  {
    task: 1,
    name: 'an update from the current version still goes through',
    async run({ db, clock, expect }) {
      const { users, added } = await makeUsers(db, clock);
      const updated = await users.update(added.id, { name: 'Ada L.' }, 1);
      expect.equal({ name: updated.name, version: updated.version }, { name: 'Ada L.', version: 2 }, 'the user after an update from version 1');
    },
  },
  {
    task: 1,
    name: 'a missing user is a NotFoundError, not a conflict',
    async run({ db, clock, expect }) {
      const { users } = await makeUsers(db, clock);
      await expect.rejects(() => users.update(404, { name: 'Nobody' }, 1), 'an update of user 404, who does not exist', isNotFoundError);
    },
  },
  {
    task: 2,
    name: 'of two concurrent updates from the same version, exactly one is written',
    async run({ db, clock, expect }) {
      const { users, added } = await makeUsers(db, clock);
      const results = await Promise.allSettled([
        users.update(added.id, { email: 'a@example.com' }, 1),
        users.update(added.id, { name: 'B' }, 1),
      ]);
      const written = results.filter((r) => r.status === 'fulfilled').length;
      expect.equal(written, 1, 'updates accepted, of two sent at once from version 1');
      expect.ok(
        results.some((r) => r.status === 'rejected' && isConcurrencyError(r.reason)),
        'the other one should be refused with a ConcurrencyError',
      );
      expect.equal((await users.get(added.id))?.version, 2, 'the version after exactly one update');
    },
  },
  {
    task: 2,
    name: 'ten editors from the same read: one save wins, nine are told to retry',
    async run({ db, clock, expect }) {
      const { users, added } = await makeUsers(db, clock);
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => users.update(added.id, { name: `Editor ${i}` }, 1)));
      expect.equal(
        results.map((r) => (r.status === 'fulfilled' ? 'written' : isConcurrencyError(r.reason) ? 'conflict' : 'other error')).sort(),
        ['conflict', 'conflict', 'conflict', 'conflict', 'conflict', 'conflict', 'conflict', 'conflict', 'conflict', 'written'],
        'what became of ten updates sent at once from version 1',
      );
    },
  },
]);
