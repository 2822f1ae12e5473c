import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock, type HttpResponse } from '../kit/index.ts';
import { mediaTypeOf, VersionedApi, versionFromAccept, type ServedEvent } from './api-versioning.ts';
import { checkLifecycle, formatDeprecation, formatHttpDate, isGone, lifecycleHeaders } from './deprecation.ts';
import { CHANGES, renderUser, type User, type VersionChange } from './versions.ts';

const ADA: User = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: Date.UTC(2024, 4, 17, 9, 30, 5) };
const V1 = { id: 7, name: 'Ada Lovelace', email: 'ada@example.com', createdAt: '2024-05-17T09:30:05.000Z' };
const V2 = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', createdAt: '2024-05-17T09:30:05.000Z' };
const V3 = { id: 7, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', created: 1715938205 };

let clock: VirtualClock;
let api: VersionedApi;
let served: ServedEvent[];
let handled: number;

beforeEach(() => {
  clock = new VirtualClock();
  handled = 0;
  api = new VersionedApi({
    clock,
    async handler({ id }) {
      handled++;
      return id === '7' ? { status: 200, body: renderUser(ADA) } : { status: 404, body: { error: `no user ${id}` } };
    },
  });
  served = [];
  api.onServe((e) => served.push(e));
});

const get = (path: string, headers: Record<string, string> = {}): Promise<HttpResponse> =>
  api.handle({ method: 'GET', path, headers: { 'x-api-key': 'key-1', ...headers }, body: undefined });

describe('versions.ts', () => {
  it('lists the changes newest first, each turning its body into the previous version’s', () => {
    expect(CHANGES.map((c) => c.label)).toEqual(['v3', 'v2']);
    expect(renderUser(ADA)).toEqual(V3);
    expect(CHANGES[0]!.toPrevious(renderUser(ADA))).toEqual(V2);
    expect(CHANGES[1]!.toPrevious(V2)).toEqual(V1);
  });
});

describe('VersionedApi: naming a version', () => {
  it.each([
    ['a URL prefix', '/api/v1/users/7', {}, V1],
    ['the X-API-Version header, by label', '/api/users/7', { 'x-api-version': 'v2' }, V2],
    ['the X-API-Version header, by date', '/api/users/7', { 'x-api-version': '2024-01-01' }, V1],
    ['the Accept media type', '/api/users/7', { accept: 'text/html, application/vnd.example.v2+json;q=0.9' }, V2],
    ['a header with another case', '/api/users/7', { 'X-API-Version': 'v3' }, V3],
  ])('serves the version named by %s', async (_how, path, headers, body) => {
    const response = await get(path, headers);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(body);
  });

  it('says which version served, in X-API-Version, the media type and Vary', async () => {
    const { headers } = await get('/api/v2/users/7');
    expect(headers).toMatchObject({ 'x-api-version': '2025-01-01', 'content-type': mediaTypeOf('v2'), vary: 'Accept, X-API-Version' });
  });

  it('runs the newest handler once for every version, taking back one change per newer version', async () => {
    for (const v of ['v1', 'v2', 'v3']) await get(`/api/${v}/users/7`);
    expect(handled).toBe(3);
    expect(served.map((e) => [e.version.label, e.transformations])).toEqual([
      ['v1', ['v3', 'v2']],
      ['v2', ['v3']],
      ['v3', []],
    ]);
  });

  it('accepts two schemes that agree and refuses two that disagree', async () => {
    expect((await get('/api/v2/users/7', { 'x-api-version': '2025-01-01' })).status).toBe(200);
    const conflict = await get('/api/v1/users/7', { accept: mediaTypeOf('v2') });
    expect(conflict.status).toBe(400);
    expect(conflict.body).toEqual({ error: 'conflicting versions: v1 by url, v2 by media-type' });
    expect(handled).toBe(1);
  });

  it.each([
    ['a URL prefix', '/api/v9/users/7', {}, 404],
    ['a header', '/api/users/7', { 'x-api-version': '2023-06-01' }, 400],
    ['a media type', '/api/users/7', { accept: mediaTypeOf('v9') }, 406],
  ])('refuses an unknown version named by %s with that scheme’s status', async (_how, path, headers, status) => {
    const refused: number[] = [];
    api.onRefuse((e) => refused.push(e.status));
    const response = await get(path, headers);
    expect(response.status).toBe(status);
    expect((response.body as { error: string }).error).toMatch(/^no version .*; versions: v3 \(2026-01-01\), v2 \(2025-01-01\), v1 \(2024-01-01\)$/);
    expect(refused).toEqual([status]);
  });

  it('refuses with 406 only an Accept that takes nothing the API sends', async () => {
    expect((await get('/api/users/7', { accept: `${mediaTypeOf('v1')};q=0, application/json;q=0` })).status).toBe(406);
    expect((await get('/api/users/7', { accept: 'text/html' })).status).toBe(406);
    const json = await get('/api/users/7', { accept: `${mediaTypeOf('v9')}, application/json` });
    expect(json).toMatchObject({ status: 200, headers: { 'x-api-version': '2026-01-01' } });
    expect(served.at(-1)!.scheme).toBe('pinned');
  });

  it('keeps the handler’s 404 as it is, in the version asked for', async () => {
    const response = await get('/api/v1/users/8');
    expect(response).toMatchObject({ status: 404, body: { error: 'no user 8' }, headers: { 'x-api-version': '2024-01-01' } });
  });

  it('answers a handler that throws with a 500 in the version asked for', async () => {
    const failing = new VersionedApi({ clock, handler: () => Promise.reject(new Error('store down')) });
    const response = await failing.handle({ method: 'GET', path: '/api/v2/users/7', headers: {}, body: undefined });
    expect(response).toMatchObject({ status: 500, body: { error: 'Internal Server Error' }, headers: { 'x-api-version': '2025-01-01' } });
  });
});

describe('versionFromAccept', () => {
  const versions = [
    { id: '2026-01-01', label: 'v3' },
    { id: '2025-01-01', label: 'v2' },
    { id: '2024-01-01', label: 'v1' },
  ];
  it.each([
    ['no header', undefined, { acceptable: true }],
    ['one version', mediaTypeOf('v2'), { acceptable: true, version: versions[1] }],
    ['a version refused with q=0, and another', `${mediaTypeOf('v1')};q=0, ${mediaTypeOf('v3')}`, { acceptable: true, version: versions[0] }],
    ['the highest q, wherever it is listed', `${mediaTypeOf('v1')};q=0.2, ${mediaTypeOf('v2')}; q=0.8, */*;q=0.1`, { acceptable: true, version: versions[1] }],
    ['the first listed on a tie', `${mediaTypeOf('v2')}, ${mediaTypeOf('v3')}`, { acceptable: true, version: versions[1] }],
    ['another case', 'Application/VND.Example.V3+JSON', { acceptable: true, version: versions[0] }],
    ['an unknown version, and plain JSON', `${mediaTypeOf('v9')}, application/json`, { acceptable: true }],
    ['any type', '*/*', { acceptable: true }],
    ['only an unknown version', mediaTypeOf('v9'), { acceptable: false }],
    ['only refused types', `${mediaTypeOf('v1')};q=0, application/json;q=0`, { acceptable: false }],
    ['only HTML', 'text/html', { acceptable: false }],
  ])('reads %s', (_what, accept, choice) => {
    expect(versionFromAccept(accept, versions)).toEqual(choice);
  });
});

describe('VersionedApi: a client that names no version', () => {
  it('is pinned to the newest version at its first request, and stays there', async () => {
    const pins: string[] = [];
    api.onPin((e) => pins.push(`${e.clientKey} ${e.version.id}`));
    expect((await get('/api/users/7')).body).toEqual(V3);
    expect((await get('/api/users/7')).body).toEqual(V3);
    expect(pins).toEqual(['key-1 2026-01-01']);
    expect(served.map((e) => e.scheme)).toEqual(['pinned', 'pinned']);
  });

  it('keeps its pin when a newer version ships: a new default never moves an old client', async () => {
    const pins = new Map([['key-1', '2025-01-01']]);
    const v4: VersionChange = { id: '2026-06-01', label: 'v4', description: 'email becomes emails', toPrevious: (b) => b };
    const later = new VersionedApi({ clock, pins, changes: [v4, ...CHANGES], handler: async () => ({ status: 200, body: renderUser(ADA) }) });
    expect((await later.handle({ method: 'GET', path: '/api/users/7', headers: { 'x-api-key': 'key-1' }, body: undefined })).body).toEqual(V2);
    expect(later.newest.label).toBe('v4');
  });

  it('is answered with Vary on its API key too: the version depends on it', async () => {
    expect((await get('/api/users/7')).headers.vary).toBe('Accept, X-API-Version, X-API-Key');
    expect((await get('/api/v3/users/7')).headers.vary).toBe('Accept, X-API-Version');
  });

  it('is answered 410 Gone with the migration notes when its pin names a version that no longer exists, and stays pinned', async () => {
    const pins = new Map([['key-1', '2023-06-01']]);
    const migrationNotes = 'https://api.example.com/docs/migrating';
    const later = new VersionedApi({ clock, pins, migrationNotes, handler: async () => ({ status: 200, body: renderUser(ADA) }) });
    const pinned: string[] = [];
    later.onPin((e) => pinned.push(e.version.id));
    const response = await later.handle({ method: 'GET', path: '/api/users/7', headers: { 'x-api-key': 'key-1' }, body: undefined });
    expect(response).toMatchObject({ status: 410, body: { error: expect.stringMatching(/^version 2023-06-01, which this API key is pinned to, has been retired/), migrate: migrationNotes } });
    expect(response.headers.vary).toContain('X-API-Key');
    expect(pinned).toEqual([]);
    expect(pins.get('key-1')).toBe('2023-06-01');
  });

  it('is asked to name a version when it has no API key to pin', async () => {
    const response = await api.handle({ method: 'GET', path: '/api/users/7', headers: {}, body: undefined });
    expect(response.status).toBe(400);
    expect(handled).toBe(0);
  });
});

describe('VersionedApi: deprecation and sunset', () => {
  const deprecatedAt = Date.UTC(2026, 0, 1);
  const sunsetAt = Date.UTC(2026, 6, 1);
  const link = 'https://api.example.com/docs/migrating-from-v1';

  it('announces a deprecated version on every response of it, and only of it', async () => {
    api.setLifecycle('v1', { deprecatedAt, sunsetAt, link });
    const v1 = await get('/api/v1/users/7');
    expect(v1.headers).toMatchObject({
      deprecation: '@1767225600',
      sunset: 'Wed, 01 Jul 2026 00:00:00 GMT',
      link: `<${link}>; rel="deprecation"; type="text/html", <${link}>; rel="sunset"; type="text/html"`,
    });
    expect(served[0]!.deprecated).toBe(true);
    const v2 = await get('/api/v2/users/7');
    expect(v2.headers.deprecation).toBeUndefined();
    expect(v2.headers.sunset).toBeUndefined();
  });

  it('answers 410 Gone from the sunset on, without running the handler', async () => {
    api.setLifecycle('2024-01-01', { deprecatedAt: clock.wallNow(), sunsetAt: clock.wallNow() + 60_000, link });
    await clock.advance(59_999);
    expect((await get('/api/v1/users/7')).status).toBe(200);
    await clock.advance(1);
    const gone = await get('/api/v1/users/7');
    expect(gone.status).toBe(410);
    expect(gone.body).toEqual({ error: 'version v1 (2024-01-01) has been retired', migrate: link });
    expect(gone.headers.sunset).toBe(formatHttpDate(clock.wallNow()));
    expect(handled).toBe(1);
  });

  it('refuses a sunset before the deprecation, an unknown version and a link that is not a URL', () => {
    expect(() => api.setLifecycle('v1', { deprecatedAt: sunsetAt, sunsetAt: deprecatedAt, link })).toThrow(RangeError);
    expect(() => api.setLifecycle('v7', { deprecatedAt, link })).toThrow(/no version v7/);
    expect(() => checkLifecycle('v1', { deprecatedAt, link: 'see the wiki' })).toThrow(/http\(s\) URL/);
  });

  it('formats the dates as the RFCs want them', () => {
    expect(formatDeprecation(Date.UTC(2023, 5, 30, 23, 59, 59, 999))).toBe('@1688169599');
    expect(formatHttpDate(Date.UTC(2023, 5, 30, 23, 59, 59))).toBe('Fri, 30 Jun 2023 23:59:59 GMT');
    expect(lifecycleHeaders(undefined)).toEqual({});
    expect(lifecycleHeaders({ deprecatedAt, link })).toEqual({ deprecation: '@1767225600', link: `<${link}>; rel="deprecation"; type="text/html"` });
    expect(isGone({ deprecatedAt, link }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('VersionedApi: the version list', () => {
  const change = (id: string, label: string): VersionChange => ({ id, label, description: '', toPrevious: (b) => b });
  it.each([
    ['a version not named by its date', [change('latest', 'v3')], /must be the date/],
    ['changes listed oldest first', [change('2025-01-01', 'v2'), change('2026-01-01', 'v3')], /must be newer than/],
    ['two versions with one label', [change('2026-01-01', 'v2'), change('2025-01-01', 'v2')], /two versions are labelled v2/],
  ])('refuses %s', (_what, changes, message) => {
    expect(() => new VersionedApi({ clock, changes, handler: async () => ({ status: 200, body: {} }) })).toThrow(message);
  });
});
