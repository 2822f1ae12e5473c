import { defineChecks, type CheckContext } from '../../../patterns/kit/index.ts';
import { VersionedApi, type PinStore, type ServedEvent } from '../../../patterns/api-versioning/api-versioning.ts';
import { CHANGES, renderUser, type User, type VersionChange } from '../../../patterns/api-versioning/versions.ts';

const ADA: User = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: Date.UTC(2024, 4, 17, 9, 30, 5) };

/** A v4 that renames `email` to `emailAddress`: shipped after the pins of the checks were made. */
const V4: VersionChange = {
  id: '2026-06-01',
  label: 'v4',
  description: '`email` becomes `emailAddress`.',
  toPrevious: ({ emailAddress, ...body }) => ({ ...body, email: emailAddress }),
};

const makeApi = ({ clock }: CheckContext, options: { pins?: PinStore; changes?: readonly VersionChange[] } = {}) => {
  let handled = 0;
  const api = new VersionedApi({
    clock,
    ...options,
    async handler() {
      handled++;
      const body = renderUser(ADA);
      // The v4 handler writes the v4 body: v3's, with `email` renamed.
      if (options.changes?.[0] === V4) {
        const { email, ...rest } = body;
        return { status: 200, body: { ...rest, emailAddress: email } };
      }
      return { status: 200, body };
    },
  });
  const pins: string[] = [];
  const served: ServedEvent[] = [];
  api.onPin((e) => pins.push(`${e.clientKey} → ${e.version.id}`));
  api.onServe((e) => served.push(e));
  return { api, pins, served, handled: () => handled };
};

/** GET /api/users/7 naming no version, from `key` (none when undefined). */
const getUnversioned = (api: VersionedApi, key: string | undefined, headers: Record<string, string> = {}) =>
  api.handle({ method: 'GET', path: '/api/users/7', headers: { ...(key !== undefined && { 'x-api-key': key }), ...headers }, body: undefined });

export default defineChecks([
  {
    task: 1,
    name: 'a client that names no version is served the newest version, not v1',
    async run(context) {
      const { api } = makeApi(context);
      const response = await getUnversioned(api, 'key-new');
      context.expect.equal(
        { status: response.status, version: response.headers['x-api-version'], fields: Object.keys(response.body as object).sort() },
        { status: 200, version: '2026-01-01', fields: ['created', 'email', 'familyName', 'givenName', 'id'] },
        'status, X-API-Version and fields of the first GET /api/users/7 from key-new, naming no version',
      );
      api.dispose();
    },
  },
  {
    task: 1,
    name: 'its key is pinned once, in the PinStore, and later requests say they were served by the pin',
    async run(context) {
      const store = new Map<string, string>();
      const { api, pins, served } = makeApi(context, { pins: store });
      for (let i = 0; i < 3; i++) await getUnversioned(api, 'key-new');
      context.expect.equal(
        { pins, store: Object.fromEntries(store), schemes: served.map((e) => e.scheme) },
        { pins: ['key-new → 2026-01-01'], store: { 'key-new': '2026-01-01' }, schemes: ['pinned', 'pinned', 'pinned'] },
        'onPin events, the PinStore and the schemes of onServe after three requests from key-new naming no version',
      );
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'a key pinned before v4 shipped keeps its version; a key seen after is pinned to v4',
    async run(context) {
      const store = new Map<string, string>([['key-old', '2025-01-01']]);
      const { api, pins } = makeApi(context, { pins: store, changes: [V4, ...CHANGES] });
      const old = await getUnversioned(api, 'key-old');
      const fresh = await getUnversioned(api, 'key-fresh');
      context.expect.equal(
        { old: old.headers['x-api-version'], fresh: fresh.headers['x-api-version'], pins },
        { old: '2025-01-01', fresh: '2026-06-01', pins: ['key-fresh → 2026-06-01'] },
        'the versions served to key-old (pinned to v2 before v4 shipped) and to key-fresh (first seen now), and the onPin events',
      );
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'a client that names its version is never pinned',
    async run(context) {
      const store = new Map<string, string>();
      const { api, pins } = makeApi(context, { pins: store });
      await api.handle({ method: 'GET', path: '/api/v2/users/7', headers: { 'x-api-key': 'key-named' }, body: undefined });
      const later = await getUnversioned(api, 'key-named');
      context.expect.equal(
        { pins, version: later.headers['x-api-version'] },
        { pins: ['key-named → 2026-01-01'], version: '2026-01-01' },
        'onPin events and the version served when key-named first asked for v2 by URL, then named no version',
      );
      api.dispose();
    },
  },
  {
    task: 2,
    name: 'a key pinned to a version that no longer exists is answered 410 Gone, and keeps its pin',
    async run(context) {
      const store = new Map<string, string>([['key-gone', '2023-06-01']]);
      const { api, pins, handled } = makeApi(context, { pins: store });
      const response = await getUnversioned(api, 'key-gone');
      context.expect.equal(
        { status: response.status, pins, store: Object.fromEntries(store), handled: handled() },
        { status: 410, pins: [], store: { 'key-gone': '2023-06-01' }, handled: 0 },
        'the status of GET /api/users/7 from key-gone (pinned to 2023-06-01, a version this API no longer has), the onPin events, the PinStore and the handler calls',
      );
      api.dispose();
    },
  },
  {
    task: 3,
    name: 'no version and no API key: a 400 that says how to name a version, and no handler run',
    async run(context) {
      const { api, handled } = makeApi(context);
      const response = await getUnversioned(api, undefined);
      const error = (response.body as { error?: unknown }).error;
      context.expect.equal({ status: response.status, handled: handled() }, { status: 400, handled: 0 }, 'the status of GET /api/users/7 with no version and no X-API-Key, and the handler calls');
      context.expect.ok(
        typeof error === 'string' && /x-api-version|\/api\/v|accept|vnd\.example/i.test(error),
        `the error should say how to name a version (a URL prefix /api/v…, X-API-Version or Accept), got ${JSON.stringify(error ?? null)}`,
      );
      api.dispose();
    },
  },
]);
