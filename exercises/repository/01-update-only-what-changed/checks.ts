import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { User, UserChanges } from '../../../patterns/repository/domain.ts';
import { isConcurrencyError } from '../../../patterns/repository/errors.ts';
import { MemoryStore, MemoryUserRepository } from '../../../patterns/repository/memory-repository.ts';

const ada = { email: 'ada@example.com', name: 'Ada' };

const makeUsers = async (clock: VirtualClock) => {
  const users = new MemoryUserRepository(clock, new MemoryStore());
  await clock.advance(1_000);
  return { users, added: await users.add(ada) };
};

/** What a caller of an `update(id, obj)` hands over: the user as read, with some fields changed. */
const wholeUser = (user: User, changed: Partial<User>): UserChanges => ({ ...user, ...changed });

export default defineChecks([
  {
    task: 1,
    name: 'a rename keeps the email',
    async run({ clock, expect }) {
      const { users, added } = await makeUsers(clock);
      const renamed = await users.update(added.id, { name: 'Ada Lovelace' }, added.version);
      expect.equal(renamed.email, ada.email, 'the email after update(id, { name: "Ada Lovelace" })');
      expect.equal((await users.get(added.id))?.email, ada.email, 'the stored email after that rename');
    },
  },
  {
    task: 1,
    name: 'a field given as undefined keeps its value',
    async run({ clock, expect }) {
      const { users, added } = await makeUsers(clock);
      const updated = await users.update(added.id, { name: 'Ada L.', email: undefined }, added.version);
      expect.equal(
        { email: updated.email, name: updated.name },
        { email: ada.email, name: 'Ada L.' },
        'the user after update(id, { name: "Ada L.", email: undefined })',
      );
      const stored = await users.get(added.id);
      expect.equal(stored?.email, ada.email, 'the stored email after that update');
      expect.ok(Object.keys(stored ?? {}).length === 5, `the stored user should have exactly id, email, name, version and createdAt, got ${JSON.stringify(stored)}`);
    },
  },
  {
    task: 2,
    name: 'an object carrying another id changes nobody’s id',
    async run({ clock, expect }) {
      const { users, added } = await makeUsers(clock);
      const smuggled = { name: 'Ada', id: 999, createdAt: 0, isAdmin: true } as UserChanges;
      const updated = await users.update(added.id, smuggled, added.version);
      expect.equal(updated.id, added.id, 'the id update() answered with, for an object carrying id 999');
      const stored = await users.get(added.id);
      expect.equal(stored?.id, added.id, `the id of the user stored under ${added.id}`);
      expect.equal(stored?.createdAt, added.createdAt, 'its createdAt (the object carried 0)');
      expect.ok(!(stored && 'isAdmin' in stored), `the stored user gained a property that is no field of a user: ${JSON.stringify(stored)}`);
    },
  },
  {
    task: 2,
    name: 'every update moves the version on by one, whatever version the object carries',
    async run({ clock, expect }) {
      const { users, added } = await makeUsers(clock);
      const first = await users.update(added.id, wholeUser(added, { name: 'Ada 1' }), 1);
      expect.equal(first.version, 2, 'the version after the first update of a user at version 1 (the object carried version 1)');
      const second = await users.update(added.id, wholeUser(first, { name: 'Ada 2' }), 2);
      expect.equal(second.version, 3, 'the version after the second update');
    },
  },
  {
    task: 2,
    name: 'two edits made from the same read: the second is refused, not lost',
    async run({ clock, expect }) {
      const { users, added } = await makeUsers(clock);
      // Two requests read the user at version 1, and each hands back the whole user it read.
      const readByA = (await users.get(added.id))!;
      const readByB = (await users.get(added.id))!;
      await users.update(added.id, wholeUser(readByA, { name: 'Changed by A' }), readByA.version);
      const thrown = await expect.rejects(
        () => users.update(added.id, wholeUser(readByB, { email: 'b@example.com' }), readByB.version),
        "B's update, made from version 1 after A's update was written",
        isConcurrencyError,
      );
      expect.ok(isConcurrencyError(thrown), 'B should get a ConcurrencyError');
      expect.equal((await users.get(added.id))?.name, 'Changed by A', "the stored name: A's edit must still be there");
    },
  },
]);
