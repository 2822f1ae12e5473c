import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../kit/index.ts';
import { bodyDifferences, makeFleet, readDeprecation, readLinks, readSunset, requestOf } from './fleet.ts';

describe("the clients' reading of the headers", () => {
  it('reads Deprecation only as a Structured Field Date', () => {
    expect(readDeprecation({ deprecation: '@1688169599' })).toBe(1688169599_000);
    for (const value of ['true', '1688169599', '@1688169599.5', 'Fri, 30 Jun 2023 23:59:59 GMT']) expect(readDeprecation({ deprecation: value }), value).toBeUndefined();
    expect(readDeprecation({})).toBeUndefined();
  });

  it('reads Sunset only as an IMF-fixdate', () => {
    expect(readSunset({ sunset: 'Fri, 30 Jun 2023 23:59:59 GMT' })).toBe(Date.UTC(2023, 5, 30, 23, 59, 59));
    for (const value of ['2023-06-30T23:59:59.000Z', 'Friday, 30-Jun-23 23:59:59 GMT', '@1688169599']) expect(readSunset({ sunset: value }), value).toBeUndefined();
  });

  it('finds links by relation, one or several per link', () => {
    const link = '<https://a.example/notes>; rel="deprecation"; type="text/html", <https://a.example/policy>; rel="sunset", <https://a.example/both>; rel="deprecation sunset"';
    expect(readLinks({ link }, 'deprecation')).toEqual(['https://a.example/notes', 'https://a.example/both']);
    expect(readLinks({ link }, 'sunset')).toEqual(['https://a.example/policy', 'https://a.example/both']);
    expect(readLinks({ link: '<https://a.example/notes>' }, 'deprecation')).toEqual([]);
  });
});

describe('a client checking a body against its docs', () => {
  it('names what is missing, unexpected or different', () => {
    expect(bodyDifferences({ id: 1, name: 'Ada' }, { id: 1, name: 'Ada' })).toEqual([]);
    expect(bodyDifferences({ id: 1, givenName: 'Ada' }, { id: 2, name: 'Ada' })).toEqual(['id is 1, not 2', 'no name', 'unexpected givenName']);
    expect(bodyDifferences('Ada', { id: 1 })).toEqual(['the body is "Ada", not an object']);
  });
});

describe('the fleet', () => {
  it('splits the clients by the mix, names no version for the unversioned share, and rotates the schemes', () => {
    const fleet = makeFleet({ size: 12, mix: 'even', scheme: 'mixed', unversionedShare: 0.25 }, new SeededRandom(1));
    const count = (pick: (c: (typeof fleet)[number]) => string) => fleet.reduce<Record<string, number>>((n, c) => ({ ...n, [pick(c)]: (n[pick(c)] ?? 0) + 1 }), {});
    expect(count((c) => c.contract)).toEqual({ v1: 3, v2: 3, v3: 6 });
    expect(count((c) => c.scheme)).toEqual({ url: 3, header: 3, 'media-type': 3, none: 3 });
    expect(fleet.filter((c) => c.scheme === 'none').every((c) => c.contract === 'v3')).toBe(true);
    expect(fleet.map((c) => c.name)).toEqual(Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, '0')}`));
  });

  it('gives a rebuilt fleet keys of its own, so that no new client inherits an old one’s pin', () => {
    const first = makeFleet({ size: 4, mix: 'even', scheme: 'mixed', unversionedShare: 0.5 }, new SeededRandom(1));
    const second = makeFleet({ size: 4, mix: 'even', scheme: 'mixed', unversionedShare: 0.5, generation: 1 }, new SeededRandom(1));
    expect(first.map((c) => c.key)).toEqual(['key-00', 'key-01', 'key-02', 'key-03']);
    expect(second.map((c) => c.key)).toEqual(['key-00-g1', 'key-01-g1', 'key-02-g1', 'key-03-g1']);
    expect(second.map((c) => c.name)).toEqual(first.map((c) => c.name));
  });

  it('sends each scheme its own way', () => {
    const client = { name: 'c00', key: 'key-00', contract: 'v2' };
    expect(requestOf({ ...client, scheme: 'url' }, 7)).toMatchObject({ path: '/api/v2/users/7', headers: { 'x-api-key': 'key-00' } });
    expect(requestOf({ ...client, scheme: 'header' }, 7).headers).toEqual({ 'x-api-key': 'key-00', 'x-api-version': '2025-01-01' });
    expect(requestOf({ ...client, scheme: 'media-type' }, 7).headers).toEqual({ 'x-api-key': 'key-00', accept: 'application/vnd.example.v2+json' });
    expect(requestOf({ ...client, scheme: 'none' }, 7)).toEqual({ path: '/api/users/7', headers: { 'x-api-key': 'key-00' }, route: 'GET /api/users/:id (no version)' });
  });
});
