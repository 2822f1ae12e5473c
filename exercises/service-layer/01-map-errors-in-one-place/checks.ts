import { DatabaseError, defineChecks, type HttpResponse } from '../../../patterns/kit/index.ts';
import type { SignUp, User } from '../../../patterns/service-layer/domain.ts';
import { EmailTaken, InvalidInput, UserNotFound } from '../../../patterns/service-layer/errors.ts';
import { userRoutes, type Users } from '../../../patterns/service-layer/routes.ts';

const ADA: User = { id: 1, email: 'ada@example.com', name: 'Ada', version: 1, createdAt: 0 };

/** The routes over a service whose calls fail with `error` (or succeed when it is undefined), and the lines they log. */
const makeRoutes = (error?: unknown) => {
  const logged: Array<{ msg: string; fields: Record<string, unknown> }> = [];
  const fail = async (): Promise<User> => {
    if (error !== undefined) throw error;
    return ADA;
  };
  const users: Users = { signUp: (_input: SignUp) => fail(), getUser: () => fail() };
  const routes = userRoutes({ users, logger: { error: (msg, fields = {}) => void logged.push({ msg, fields }) } });
  const signUp = (body: unknown = { email: 'ada@example.com', name: 'Ada' }) =>
    Promise.resolve(routes.handle({ method: 'POST', path: '/users', headers: { 'x-request-id': 'r-1' }, body }));
  const getUser = () => Promise.resolve(routes.handle({ method: 'GET', path: '/users/7', headers: { 'x-request-id': 'r-2' }, body: undefined }));
  return { signUp, getUser, logged };
};

const answer = (response: HttpResponse) => ({ status: response.status, body: response.body });
const SQL_WORDS = /SQLITE_|database (table )?is locked|constraint failed/i;

export default defineChecks([
  {
    task: 1,
    name: 'a sign-up with a taken email is a 409, with the error’s message',
    async run({ expect }) {
      const { signUp } = makeRoutes(new EmailTaken('ada@example.com'));
      expect.equal(answer(await signUp()), { status: 409, body: { error: 'ada@example.com is already registered' } }, 'the answer to a sign-up whose email is taken');
    },
  },
  {
    task: 1,
    name: 'a missing user is a 404, invalid input a 422 naming the field, on every route',
    async run({ expect }) {
      expect.equal(
        answer(await makeRoutes(new UserNotFound(7)).getUser()),
        { status: 404, body: { error: 'user 7 does not exist' } },
        'the answer to GET /users/7 when there is no user 7',
      );
      expect.equal(
        answer(await makeRoutes().signUp({ email: 'ada@example.com' })),
        { status: 422, body: { error: 'name: required, as a string', field: 'name' } },
        'the answer to a sign-up without a name',
      );
      expect.equal(
        answer(await makeRoutes(new InvalidInput('id', 'must be positive')).getUser()),
        { status: 422, body: { error: 'id: must be positive', field: 'id' } },
        'the answer to a look-up the service refuses as invalid input',
      );
    },
  },
  {
    task: 2,
    name: 'a busy or locked database is a 503 with retry-after, without SQLite’s words',
    async run({ expect }) {
      for (const [code, message] of [
        ['SQLITE_BUSY', 'database is locked'],
        ['SQLITE_LOCKED', 'database table is locked'],
        ['SQLITE_BUSY_SNAPSHOT', 'database is locked'],
      ] as const) {
        const { signUp, getUser } = makeRoutes(new DatabaseError(code, message));
        for (const [route, call] of [
          ['POST /users', signUp],
          ['GET /users/:id', getUser],
        ] as const) {
          const response = await call();
          expect.equal(response.status, 503, `the status of ${route} when the database fails with ${code}`);
          expect.equal(response.headers['retry-after'], '1', `the retry-after header of ${route}'s 503 (${code})`);
          const body = JSON.stringify(response.body);
          expect.ok(!SQL_WORDS.test(body), `the 503 of ${route} (${code}) shows the client SQLite's words: ${body}`);
        }
      }
    },
  },
  {
    task: 2,
    name: 'anything else is a 500 naming only the request id, and its details are logged',
    async run({ expect }) {
      const { signUp, logged } = makeRoutes(new DatabaseError('SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: users.name'));
      expect.equal(
        answer(await signUp()),
        { status: 500, body: { error: 'internal error', requestId: 'r-1' } },
        'the answer to a sign-up that failed with an unexpected database error',
      );
      const line = logged[0];
      if (!line) return expect.fail('nothing was logged: the details of an unexpected error must go to the log (logger.error)');
      expect.equal(line.fields.requestId, 'r-1', 'the request id in the logged line');
      expect.ok(
        JSON.stringify(line.fields).includes('NOT NULL constraint failed'),
        `the logged line should carry the error's details, got ${JSON.stringify(line)}`,
      );
      const crash = makeRoutes(new TypeError("Cannot read properties of undefined (reading 'id')"));
      expect.equal(
        answer(await crash.getUser()),
        { status: 500, body: { error: 'internal error', requestId: 'r-2' } },
        'the answer to a look-up that crashed with a TypeError',
      );
    },
  },
]);
