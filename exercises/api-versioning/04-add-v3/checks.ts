import { defineChecks, type CheckContext } from '../../../patterns/kit/index.ts';
import { VersionedApi, type PinStore } from '../../../patterns/api-versioning/api-versioning.ts';
import { CHANGES, renderUser, type User } from '../../../patterns/api-versioning/versions.ts';

const ADA: User = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: Date.UTC(2024, 4, 17, 9, 30, 5) };
const GRACE: User = { id: 8, givenName: 'Grace', familyName: 'Hopper', email: 'grace@example.com', createdAt: Date.UTC(2025, 11, 31, 23, 59, 59) };

const V3_ADA = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', created: 1715938205 };

const makeApi = ({ clock }: CheckContext, pins?: PinStore) =>
  new VersionedApi({
    clock,
    changes: CHANGES,
    ...(pins && { pins }),
    async handler({ id }) {
      const user = [ADA, GRACE].find((u) => String(u.id) === id);
      return user ? { status: 200, body: renderUser(user) } : { status: 404, body: { error: `no user ${id}` } };
    },
  });

const get = async (api: VersionedApi, path: string, headers: Record<string, string> = {}) => {
  const response = await api.handle({ method: 'GET', path, headers: { 'x-api-key': 'key-1', ...headers }, body: undefined });
  return { status: response.status, version: response.headers['x-api-version'], body: response.body };
};

/** Builds the API, or says why the router refused the version list. */
const build = (context: CheckContext, pins?: PinStore): VersionedApi | undefined => {
  try {
    return makeApi(context, pins);
  } catch (error) {
    context.expect.fail(`the router refused the versions: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
};

export default defineChecks([
  {
    task: 1,
    name: 'a v3 client by URL prefix gets a v3 user, created in Unix seconds',
    async run(context) {
      const api = build(context)!;
      context.expect.equal(await get(api, '/api/v3/users/7'), { status: 200, version: '2026-01-01', body: V3_ADA }, 'the answer to GET /api/v3/users/7');
      api.dispose();
    },
  },
  {
    task: 1,
    name: 'v3 by header (its date or its label) and by media type too',
    async run(context) {
      const api = build(context)!;
      const answer = { status: 200, version: '2026-01-01', body: V3_ADA };
      context.expect.equal(
        {
          date: await get(api, '/api/users/7', { 'x-api-version': '2026-01-01' }),
          label: await get(api, '/api/users/7', { 'x-api-version': 'v3' }),
          mediaType: await get(api, '/api/users/7', { accept: 'application/vnd.example.v3+json' }),
        },
        { date: answer, label: answer, mediaType: answer },
        'the answers to GET /api/users/7 with X-API-Version: 2026-01-01, with X-API-Version: v3, and with Accept: application/vnd.example.v3+json',
      );
      api.dispose();
    },
  },
  {
    task: 1,
    name: 'the v3 change is first in CHANGES, released 2026-01-01, and says what changed',
    run({ expect }) {
      const first = CHANGES[0];
      expect.equal({ id: first?.id, label: first?.label }, { id: '2026-01-01', label: 'v3' }, 'the id and label of the first entry of CHANGES');
      expect.ok((first?.description.trim().length ?? 0) > 10, `the v3 change's description should say what changed, got ${JSON.stringify(first?.description ?? null)}`);
    },
  },
  {
    task: 2,
    name: 'v2 clients get exactly what they got before, createdAt and all',
    async run(context) {
      const api = build(context)!;
      context.expect.equal(
        { ada: await get(api, '/api/v2/users/7'), grace: await get(api, '/api/users/8', { 'x-api-version': '2025-01-01' }) },
        {
          ada: { status: 200, version: '2025-01-01', body: { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: '2024-05-17T09:30:05.000Z' } },
          grace: { status: 200, version: '2025-01-01', body: { id: 8, givenName: 'Grace', familyName: 'Hopper', email: 'grace@example.com', createdAt: '2025-12-31T23:59:59.000Z' } },
        },
        'the answers to GET /api/v2/users/7, and to GET /api/users/8 with X-API-Version: 2025-01-01',
      );
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'v1 clients get exactly what they got before',
    async run(context) {
      const api = build(context)!;
      context.expect.equal(
        await get(api, '/api/users/7', { accept: 'application/vnd.example.v1+json' }),
        { status: 200, version: '2024-01-01', body: { id: 7, email: 'ada@example.com', createdAt: '2024-05-17T09:30:05.000Z', name: 'Ada Lovelace' } },
        'the answer to GET /api/users/7 with Accept: application/vnd.example.v1+json',
      );
      api.dispose();
    },
  },
  {
    task: 3,
    name: 'a new client naming no version is pinned to v3; one pinned to v2 before stays on v2',
    async run(context) {
      const pins = new Map([['key-old', '2025-01-01']]);
      const api = build(context, pins)!;
      const fresh = await get(api, '/api/users/7', { 'x-api-key': 'key-fresh' });
      const old = await get(api, '/api/users/7', { 'x-api-key': 'key-old' });
      context.expect.equal(
        { fresh: fresh.version, old: old.version, pins: Object.fromEntries(pins) },
        { fresh: '2026-01-01', old: '2025-01-01', pins: { 'key-old': '2025-01-01', 'key-fresh': '2026-01-01' } },
        'the versions served to key-fresh (first seen) and key-old (pinned to v2), naming no version, and the pins afterwards',
      );
      api.dispose();
    },
  },
]);
