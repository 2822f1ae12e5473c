import { defineChecks } from '../../../patterns/kit/index.ts';
import { VersionedApi } from '../../../patterns/api-versioning/api-versioning.ts';
import { checkLifecycle, formatDeprecation, isGone, lifecycleHeaders, type Lifecycle } from '../../../patterns/api-versioning/deprecation.ts';
import { readLinks } from '../../../patterns/api-versioning/fleet.ts';

const LINK = 'https://api.example.com/docs/migrating-from-v1';
/** Deprecated on 1 January 2026, gone on 1 July 2026. */
const V1: Lifecycle = { deprecatedAt: Date.UTC(2026, 0, 1), sunsetAt: Date.UTC(2026, 6, 1), link: LINK };
const NO_SUNSET: Lifecycle = { deprecatedAt: Date.UTC(2026, 0, 1), link: LINK };

const show = (value: unknown) => JSON.stringify(value ?? null);

export default defineChecks([
  {
    task: 1,
    name: 'Deprecation is a Structured Field Date: @ and whole seconds since the epoch',
    run({ expect }) {
      expect.equal(lifecycleHeaders(V1).deprecation, '@1767225600', 'the Deprecation header of a version deprecated on 1 January 2026, 00:00:00 UTC');
    },
  },
  {
    task: 1,
    name: 'a deprecation date with milliseconds is announced in whole seconds, never later than it is',
    run({ expect }) {
      expect.equal(formatDeprecation(Date.UTC(2023, 5, 30, 23, 59, 59, 999)), '@1688169599', 'formatDeprecation for 30 June 2023, 23:59:59.999 UTC');
    },
  },
  {
    task: 2,
    name: 'Sunset is an HTTP-date, and only sent when a sunset is decided',
    run({ expect }) {
      expect.equal(lifecycleHeaders(V1).sunset, 'Wed, 01 Jul 2026 00:00:00 GMT', 'the Sunset header of a version going away on 1 July 2026, 00:00:00 UTC');
      expect.equal(lifecycleHeaders(NO_SUNSET).sunset, undefined, 'the Sunset header of a version deprecated with no sunset decided');
    },
  },
  {
    task: 2,
    name: 'a sunset before the deprecation is refused with a RangeError',
    run({ expect }) {
      let thrown: unknown;
      try {
        checkLifecycle('2024-01-01', { deprecatedAt: Date.UTC(2026, 6, 1), sunsetAt: Date.UTC(2026, 0, 1), link: LINK });
      } catch (error) {
        thrown = error;
      }
      expect.ok(thrown instanceof RangeError, `checkLifecycle should throw a RangeError for a sunset on 1 January and a deprecation on 1 July, got ${thrown === undefined ? 'nothing' : String(thrown)}`);
      checkLifecycle('2024-01-01', V1);
      checkLifecycle('2024-01-01', { ...V1, sunsetAt: V1.deprecatedAt });
    },
  },
  {
    task: 2,
    name: 'the version is gone from its sunset on, to the millisecond, and never without one',
    run({ expect }) {
      const at = V1.sunsetAt!;
      expect.equal(
        { before: isGone(V1, at - 1), at: isGone(V1, at), after: isGone(V1, at + 86_400_000) },
        { before: false, at: true, after: true },
        'isGone one ms before the sunset, at it and a day after',
      );
      expect.equal({ noSunset: isGone(NO_SUNSET, at * 2), notDeprecated: isGone(undefined, at) }, { noSunset: false, notDeprecated: false }, 'isGone with no sunset decided, and for a version not deprecated');
    },
  },
  {
    task: 2,
    name: 'v1 answers 410 Gone once its sunset has come, with its Sunset header',
    async run({ clock, expect }) {
      const api = new VersionedApi({ clock, handler: async () => ({ status: 200, body: { id: 1, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', created: 0 } }) });
      const start = clock.wallNow();
      api.setLifecycle('v1', { deprecatedAt: start, sunsetAt: start + 60_000, link: LINK });
      const get = () => api.handle({ method: 'GET', path: '/api/v1/users/1', headers: {}, body: undefined });
      const before = await get();
      await clock.advance(60_000);
      const after = await get();
      expect.equal({ before: before.status, after: after.status }, { before: 200, after: 410 }, 'the status of GET /api/v1/users/1 a minute before its sunset, and at it');
      api.dispose();
    },
  },
  {
    task: 3,
    name: 'Link points to the migration notes with rel="deprecation", and rel="sunset" once a sunset is decided',
    run({ expect }) {
      const headers = lifecycleHeaders(V1);
      expect.equal(
        { deprecation: readLinks(headers, 'deprecation'), sunset: readLinks(headers, 'sunset') },
        { deprecation: [LINK], sunset: [LINK] },
        `the links by relation in the Link header ${show(headers.link)}`,
      );
    },
  },
  {
    task: 3,
    name: 'with no sunset decided, Link has only the deprecation relation',
    run({ expect }) {
      const headers = lifecycleHeaders(NO_SUNSET);
      expect.equal(
        { deprecation: readLinks(headers, 'deprecation'), sunset: readLinks(headers, 'sunset') },
        { deprecation: [LINK], sunset: [] },
        `the links by relation in the Link header ${show(headers.link)} of a version with no sunset decided`,
      );
    },
  },
  {
    task: 3,
    name: 'a version that is not deprecated gets no deprecation headers at all',
    run({ expect }) {
      expect.equal(lifecycleHeaders(undefined), {}, 'lifecycleHeaders for a version with no lifecycle');
    },
  },
]);
