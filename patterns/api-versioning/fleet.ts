/**
 * The api lab's clients, written by other teams against the documentation of
 * one version each, and what each checks in every answer it gets. This is the
 * clients' side of the API: it knows the versions only from their docs
 * (`DOCS`), not from versions.ts, so the lab counts what clients received
 * without asking the code under test.
 */
import type { HttpResponse, Random } from '../kit/index.ts';

/** A user as the lab's store holds it (the same fields as versions.ts's `User`). */
export interface StoredUser {
  id: number;
  givenName: string;
  familyName: string;
  email: string;
  createdAt: number;
}

/** A version's documentation, as a client's developers read it: its names and the body it promises. */
export interface VersionDoc {
  label: string;
  id: string;
  body(user: StoredUser): Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The published docs, oldest first. A client written today is written against the last. */
export const DOCS: readonly VersionDoc[] = [
  { label: 'v1', id: '2024-01-01', body: (u) => ({ id: u.id, name: [u.givenName, u.familyName].filter(Boolean).join(' '), email: u.email, createdAt: iso(u.createdAt) }) },
  { label: 'v2', id: '2025-01-01', body: (u) => ({ id: u.id, givenName: u.givenName, familyName: u.familyName, email: u.email, createdAt: iso(u.createdAt) }) },
  { label: 'v3', id: '2026-01-01', body: (u) => ({ id: u.id, givenName: u.givenName, familyName: u.familyName, email: u.email, created: Math.floor(u.createdAt / 1_000) }) },
];
export const NEWEST_DOC = DOCS.at(-1)!;
export const docOf = (label: string): VersionDoc => DOCS.find((d) => d.label === label)!;

/** How a client names its version; `none` names nothing (it was written against the docs of the day). */
export type ClientScheme = 'url' | 'header' | 'media-type' | 'none';

export interface FleetClient {
  /** `c07`: the client's name in the views. */
  name: string;
  /** Its API key: what the API pins a client that names no version by. */
  key: string;
  scheme: ClientScheme;
  /** The version whose docs it was written against: the only body it can read. */
  contract: string;
  /** When its team will have moved it to the newest version (run time, ms), once a Deprecation header told them. */
  migrateAt?: number;
}

/** The share of versioned clients on v1, v2 and v3 for each mix. */
export const MIXES = {
  legacy: [0.6, 0.3, 0.1],
  even: [1 / 3, 1 / 3, 1 / 3],
  modern: [0.1, 0.3, 0.6],
} as const;

/**
 * A fleet of `size` clients: `unversionedShare` of them name no version, the
 * others are split over v1, v2 and v3 by `mix`, each naming its version by
 * `scheme` (or by url, header and media type in turn, `mixed`). Shuffled, so
 * the load's round-robin interleaves them. The keys of the fleet of
 * `generation` n > 0 end in `-gn` (`key-03-g2`): the clients of a new fleet
 * are new clients, and must not inherit the pins of the old one's keys.
 */
export const makeFleet = (
  options: { size: number; mix: keyof typeof MIXES; scheme: 'mixed' | 'url' | 'header' | 'media-type'; unversionedShare: number; generation?: number },
  random: Random,
): FleetClient[] => {
  const { size, mix, scheme, unversionedShare, generation = 0 } = options;
  const unversioned = Math.round(size * unversionedShare);
  const versioned = size - unversioned;
  const [s1, s2] = MIXES[mix];
  const v1 = Math.round(versioned * s1);
  const v2 = Math.round(versioned * s2);
  const schemes = ['url', 'header', 'media-type'] as const;
  const setups: Array<{ scheme: ClientScheme; contract: string }> = [];
  for (let i = 0; i < versioned; i++) {
    const contract = i < v1 ? 'v1' : i < v1 + v2 ? 'v2' : 'v3';
    setups.push({ scheme: scheme === 'mixed' ? schemes[i % 3]! : scheme, contract });
  }
  // Named nothing: written against the newest docs (the API should pin them there).
  for (let i = 0; i < unversioned; i++) setups.push({ scheme: 'none', contract: NEWEST_DOC.label });
  for (let i = setups.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [setups[i], setups[j]] = [setups[j]!, setups[i]!];
  }
  return setups.map((setup, i) => {
    const n = String(i).padStart(2, '0');
    return { name: `c${n}`, key: `key-${n}${generation > 0 ? `-g${generation}` : ''}`, ...setup };
  });
};

/** The request a client sends for user `id`, by its scheme. */
export const requestOf = (client: FleetClient, id: number): { path: string; headers: Record<string, string>; route: string } => {
  const doc = docOf(client.contract);
  const headers: Record<string, string> = { 'x-api-key': client.key };
  switch (client.scheme) {
    case 'url':
      return { path: `/api/${doc.label}/users/${id}`, headers, route: `GET /api/${doc.label}/users/:id` };
    case 'header':
      // Header clients send the date name, as Stripe's and GitHub's clients do.
      return { path: `/api/users/${id}`, headers: { ...headers, 'x-api-version': doc.id }, route: `GET /api/users/:id (X-API-Version: ${doc.id})` };
    case 'media-type':
      return { path: `/api/users/${id}`, headers: { ...headers, accept: `application/vnd.example.${doc.label}+json` }, route: `GET /api/users/:id (Accept: ${doc.label})` };
    case 'none':
      return { path: `/api/users/${id}`, headers, route: 'GET /api/users/:id (no version)' };
  }
};

/** What is wrong with `body` for a reader of `expected`: missing, unexpected and different fields. */
export const bodyDifferences = (body: unknown, expected: Record<string, unknown>): string[] => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [`the body is ${JSON.stringify(body)}, not an object`];
  const actual = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const [field, value] of Object.entries(expected)) {
    if (!(field in actual)) problems.push(`no ${field}`);
    else if (JSON.stringify(actual[field]) !== JSON.stringify(value)) problems.push(`${field} is ${JSON.stringify(actual[field])}, not ${JSON.stringify(value)}`);
  }
  for (const field of Object.keys(actual)) if (!(field in expected)) problems.push(`unexpected ${field}`);
  return problems;
};

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
/** RFC 9110's IMF-fixdate, the one form of HTTP-date a sender may use. */
const IMF_FIXDATE = new RegExp(`^(${DAYS}), \\d{2} (${MONTHS}) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`);

/** RFC 9745's Deprecation (`@1767225600`), in epoch ms; undefined when it is missing or not a Structured Field Date. */
export const readDeprecation = (headers: HttpResponse['headers']): number | undefined => {
  const match = /^@(-?\d{1,15})$/.exec(headers.deprecation?.trim() ?? '');
  return match ? Number(match[1]) * 1_000 : undefined;
};

/** RFC 8594's Sunset, an IMF-fixdate, in epoch ms; undefined when missing or in another format. */
export const readSunset = (headers: HttpResponse['headers']): number | undefined => {
  const value = headers.sunset?.trim() ?? '';
  return IMF_FIXDATE.test(value) ? Date.parse(value) : undefined;
};

/** The targets of the Link header's links with relation `rel` (RFC 8288: `rel` may list several). */
export const readLinks = (headers: HttpResponse['headers'], rel: string): string[] =>
  (headers.link ?? '')
    .split(/,(?=\s*<)/)
    .flatMap((link) => {
      const match = /^\s*<([^>]*)>(.*)$/.exec(link);
      const rels = /;\s*rel="?([^";]+)"?/i.exec(match?.[2] ?? '')?.[1]?.toLowerCase().split(/\s+/) ?? [];
      return match && rels.includes(rel) ? [match[1]!] : [];
    });
