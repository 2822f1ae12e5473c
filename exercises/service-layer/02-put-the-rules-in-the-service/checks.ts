import { defineChecks } from '../../../patterns/kit/index.ts';
import type { NewUser, User } from '../../../patterns/service-layer/domain.ts';
import { EmailTaken, InvalidInput } from '../../../patterns/service-layer/errors.ts';
import type { UnitOfWork, UserRepository } from '../../../patterns/service-layer/repository.ts';
import { UserService } from '../../../patterns/service-layer/user-service.ts';

/** The service over a repository in memory that records every call, as an import job would use it. */
const makeService = () => {
  const rows: User[] = [];
  const calls: string[] = [];
  const users: UserRepository = {
    async get(id) {
      calls.push(`get ${id}`);
      return rows.find((u) => u.id === id);
    },
    async findByEmail(email) {
      calls.push(`findByEmail ${email}`);
      return rows.find((u) => u.email === email);
    },
    async add(user: NewUser) {
      calls.push(`add ${user.email}`);
      if (rows.some((u) => u.email === user.email)) throw new EmailTaken(user.email);
      const stored = { id: rows.length + 1, ...user, version: 1, createdAt: 0 };
      rows.push(stored);
      return stored;
    },
  };
  const unitOfWork: UnitOfWork = { run: (work) => work(users) };
  const service = new UserService({ users, unitOfWork, emailCheck: { deliverable: async () => true } });
  return { service, rows, calls };
};

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export default defineChecks([
  {
    task: 1,
    name: 'an address typed with capitals and spaces is stored trimmed and lower-case, the name trimmed',
    async run({ expect }) {
      const { service, rows } = makeService();
      const user = await service.signUp({ email: '  Ada@Example.COM ', name: ' Ada Lovelace ' });
      expect.equal({ email: user.email, name: user.name }, { email: 'ada@example.com', name: 'Ada Lovelace' }, 'the user signUp returned');
      expect.equal(rows.map((u) => u.email), ['ada@example.com'], 'the emails stored');
    },
  },
  {
    task: 1,
    name: 'signing up ADA@example.com after ada@example.com is EmailTaken, found by the look-up',
    async run({ expect }) {
      const { service, rows, calls } = makeService();
      await service.signUp({ email: 'ada@example.com', name: 'Ada' });
      calls.length = 0;
      const error = await expect.rejects(() => service.signUp({ email: 'ADA@example.com', name: 'Ada again' }), 'the second sign-up for one mailbox');
      expect.ok(error instanceof EmailTaken, `the second sign-up should throw EmailTaken, it threw ${show(error)}`);
      expect.equal(calls, ['findByEmail ada@example.com'], 'what the second sign-up asked the repository (the look-up, in the stored form)');
      expect.equal(rows.length, 1, 'users stored');
    },
  },
  {
    task: 2,
    name: 'an email without the shape of an address is InvalidInput on `email`, before any repository call',
    async run({ expect }) {
      for (const email of ['ada-at-example.com', 'ada@example', 'ada lovelace@example.com', '@example.com', '']) {
        const { service, calls } = makeService();
        const error = await expect.rejects(() => service.signUp({ email, name: 'Ada' }), `signUp with email ${JSON.stringify(email)}`);
        expect.ok(error instanceof InvalidInput && error.field === 'email', `signUp with email ${JSON.stringify(email)} should throw InvalidInput on 'email', it threw ${show(error)}`);
        expect.equal(calls, [], `repository calls for email ${JSON.stringify(email)}`);
      }
    },
  },
  {
    task: 2,
    name: 'an empty or overlong name is InvalidInput on `name`, before any repository call',
    async run({ expect }) {
      for (const name of ['', '   ', 'x'.repeat(101)]) {
        const { service, calls } = makeService();
        const what = `signUp with a name of ${name.length} characters (${name.trim() === '' ? 'blank' : 'too long'})`;
        const error = await expect.rejects(() => service.signUp({ email: 'ada@example.com', name }), what);
        expect.ok(error instanceof InvalidInput && error.field === 'name', `${what} should throw InvalidInput on 'name', it threw ${show(error)}`);
        expect.equal(calls, [], `repository calls for ${what}`);
      }
      const { service } = makeService();
      const user = await service.signUp({ email: 'ada@example.com', name: 'x'.repeat(100) });
      expect.equal(user.name.length, 100, 'the name length of a user with a 100-character name (allowed)');
    },
  },
]);
