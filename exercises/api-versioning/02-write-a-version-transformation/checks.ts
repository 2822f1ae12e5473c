import { defineChecks, type CheckContext } from '../../../patterns/kit/index.ts';
import { VersionedApi } from '../../../patterns/api-versioning/api-versioning.ts';
import { CHANGES, renderUser, type Body, type User } from '../../../patterns/api-versioning/versions.ts';

const ADA: User = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: Date.UTC(2024, 4, 17, 9, 30, 5) };
const CREATED = '2024-05-17T09:30:05.000Z';

/** The users API over these users, in the versions of versions.ts. */
const makeApi = ({ clock }: CheckContext, users: User[] = [ADA]) =>
  new VersionedApi({
    clock,
    changes: CHANGES,
    async handler({ id }) {
      const user = users.find((u) => String(u.id) === id);
      return user ? { status: 200, body: renderUser(user) } : { status: 404, body: { error: `no user ${id}` } };
    },
  });

const get = async (api: VersionedApi, path: string, headers: Record<string, string> = {}) => {
  const response = await api.handle({ method: 'GET', path, headers: { 'x-api-key': 'key-1', ...headers }, body: undefined });
  return response.status === 200 ? response.body : { status: response.status, body: response.body };
};

const v2Change = () => CHANGES.find((c) => c.label === 'v2');

export default defineChecks([
  {
    task: 1,
    name: 'a v1 client gets exactly a v1 user: name, and no givenName or familyName',
    async run(context) {
      const api = makeApi(context);
      context.expect.equal(
        await get(api, '/api/v1/users/7'),
        { id: 7, name: 'Ada Lovelace', email: 'ada@example.com', createdAt: CREATED },
        'the body of GET /api/v1/users/7 (Ada Lovelace)',
      );
      api.dispose();
    },
  },
  {
    task: 1,
    name: 'the same v1 body whichever way the client names v1',
    async run(context) {
      const api = makeApi(context);
      const v1 = { id: 7, name: 'Ada Lovelace', email: 'ada@example.com', createdAt: CREATED };
      context.expect.equal(
        {
          header: await get(api, '/api/users/7', { 'x-api-version': '2024-01-01' }),
          mediaType: await get(api, '/api/users/7', { accept: 'application/vnd.example.v1+json' }),
        },
        { header: v1, mediaType: v1 },
        'the bodies of GET /api/users/7 with X-API-Version: 2024-01-01, and with Accept: application/vnd.example.v1+json',
      );
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'a user with no family name is named without a trailing space',
    async run(context) {
      const api = makeApi(context, [{ ...ADA, id: 3, givenName: 'Sukarno', familyName: '' }]);
      const body = (await get(api, '/api/v1/users/3')) as Body;
      context.expect.equal(body.name, 'Sukarno', 'the v1 name of a user whose givenName is "Sukarno" and familyName ""');
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'a family name of several words is kept whole',
    async run(context) {
      const api = makeApi(context, [{ ...ADA, id: 4, givenName: 'Guido', familyName: 'van Rossum' }]);
      const body = (await get(api, '/api/v1/users/4')) as Body;
      context.expect.equal(body.name, 'Guido van Rossum', 'the v1 name of a user whose givenName is "Guido" and familyName "van Rossum"');
      api.dispose();
    },
  },
  {
    task: 3,
    name: 'v2 and v3 clients get what they got before',
    async run(context) {
      const api = makeApi(context);
      context.expect.equal(
        { v2: await get(api, '/api/v2/users/7'), v3: await get(api, '/api/v3/users/7') },
        {
          v2: { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: CREATED },
          v3: { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', created: 1715938205 },
        },
        'the bodies of GET /api/v2/users/7 and GET /api/v3/users/7',
      );
      api.dispose();
    },
  },
  {
    task: 3,
    name: 'the transformation leaves the body it was given as it was, and keeps the fields it does not change',
    run({ expect }) {
      const change = v2Change();
      if (!change) return expect.fail('CHANGES has no entry labelled v2');
      const given = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: CREATED, locale: 'en-GB' };
      const before = JSON.stringify(given);
      let result: Body;
      try {
        result = change.toPrevious(Object.freeze({ ...given }));
      } catch (error) {
        return expect.fail(`toPrevious changed the body it was given (frozen here): ${error instanceof Error ? error.message : String(error)}`);
      }
      change.toPrevious(given);
      expect.equal(JSON.stringify(given), before, 'the v2 body after toPrevious was called on it');
      expect.equal(result.locale, 'en-GB', 'the locale of a v2 body with a field added since (locale: "en-GB"), after toPrevious');
    },
  },
]);
