/**
 * The versions of the users API, Stripe's way: only the newest version's
 * representation is written (`renderUser`); every older version is the one
 * after it plus a small, named transformation of its response (`toPrevious`),
 * listed newest first. A request for an old version runs the newest handler,
 * then walks down the list until it reaches the version asked for.
 *
 * Adding a version is two edits in this file: change `renderUser` to the new
 * shape, and put a change at the top of `CHANGES` whose `toPrevious` turns
 * the new shape back into the one before it. No handler is copied, and no
 * client pinned to an older version sees a difference, as long as the older
 * shape can be drawn back from the new one (v3's `created` can give v1 and v2
 * their `createdAt` exactly because the store keeps whole seconds: `User`).
 */

/** A user as the store holds it: what every version is drawn from. */
export interface User {
  id: number;
  givenName: string;
  familyName: string;
  email: string;
  /**
   * When the account was made, epoch ms, in whole seconds: the store keeps no
   * milliseconds. v3's `created` counts seconds, and v1's and v2's `createdAt`
   * is drawn back from it, so a millisecond kept here would be lost to them.
   */
  createdAt: number;
}

/** A response body on its way down the versions: plain JSON. */
export type Body = Record<string, unknown>;

/** A version as clients name it: the day it was released, and a short label for URLs and media types. */
export interface Version {
  /** The version's name, the date it was released (`2025-01-01`): what a client pins. */
  id: string;
  /** The short name in a URL prefix and a media type: `v2` in `/api/v2/…` and `application/vnd.example.v2+json`. */
  label: string;
}

/** One version, and how to take its change back. */
export interface VersionChange extends Version {
  /** What changed in this version, for the changelog and the migration notes. */
  description: string;
  /**
   * Turns a body of this version into the body of the version before it.
   * Small and pure: it sees only the response, never the store or the request.
   */
  toPrevious(body: Body): Body;
}

/** The first version: nothing before it to turn into. */
export const INITIAL_VERSION: Version = { id: '2024-01-01', label: 'v1' };

/** The user as the newest version shows it: the only representation written by hand. */
export const renderUser = (user: User): Body => ({
  id: user.id,
  givenName: user.givenName,
  familyName: user.familyName,
  email: user.email,
  created: Math.floor(user.createdAt / 1_000),
});

/** Every version after the first, newest first: what changed in it, and how to turn it back. */
export const CHANGES: readonly VersionChange[] = [
  {
    id: '2026-01-01',
    label: 'v3',
    description: '`createdAt` (an ISO 8601 string) becomes `created` (Unix seconds), as every other timestamp of the API is.',
    toPrevious: ({ created, ...body }) => ({ ...body, createdAt: new Date(Number(created) * 1_000).toISOString() }),
  },
  {
    id: '2025-01-01',
    label: 'v2',
    description: '`name` is split into `givenName` and `familyName`, so that clients stop splitting names on the first space.',
    // One name again, as v1 stored it: `Sukarno` had no family name, and gets no trailing space.
    toPrevious: ({ givenName, familyName, ...body }) => ({ ...body, name: [givenName, familyName].filter(Boolean).join(' ') }),
  },
];
