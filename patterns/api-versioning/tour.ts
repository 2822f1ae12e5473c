/**
 * The guided tour of the api lab: three versions served by one handler, the
 * clients that name no version, a change that leaks into v1 through shared
 * code and its fix, and v1's deprecation through to its sunset. Plain data:
 * each step is ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'api',
  title: 'Three versions, one handler, and the retirement of v1',
  intro:
    'A users API serves three versions of `GET /users/:id` to a fleet of client integrations, each written against one ' +
    "version's docs. You will watch which handler serves each request, see what happens to the clients that name no " +
    'version at all, break v1 the way shared code breaks it, and follow v1 from its deprecation to its sunset.',
  steps: [
    {
      title: 'One handler serves every version',
      instruction:
        'Press **▶ Start run**. Twelve clients share the load: three on each version, naming it by URL prefix ' +
        '(`/api/v1/users/7`), `X-API-Version` header (`2025-01-01`) or `Accept` media type ' +
        '(`application/vnd.example.v3+json`), and three that name none. Watch **Which handler served each request**.',
      until: [
        { type: 'api-versioning.served', where: { version: 'v1', scheme: 'url' }, count: 2 },
        { type: 'api-versioning.served', where: { version: 'v2', scheme: 'header' }, count: 2 },
        { type: 'api-versioning.served', where: { version: 'v3', scheme: 'media-type' }, count: 2 },
        { type: 'api-versioning.checked', where: { ok: true }, count: 30 },
      ],
      explanation:
        'Whatever the scheme, the same handler ran, the newest: a v3 request gets its body as it is, a v2 request gets ' +
        'it with the v3 change taken back (`createdAt` instead of `created`), a v1 request with the v2 change taken back ' +
        'too (`name` instead of `givenName` and `familyName`). Every answer names its version in `X-API-Version`, and ' +
        'every client found exactly the fields its docs promise.',
    },
    {
      title: 'Clients that name no version',
      instruction:
        'In **Parameters**, set **Clients naming no version** to 0.5 and press **Apply**: half the fleet are now new ' +
        'integrations that call `/api/users/7` with nothing but their API key. Watch the **Logs**.',
      until: [
        { type: 'params.changed', where: { 'params.unversionedShare': { gte: 0.5 } } },
        { type: 'api-versioning.pinned', where: { version: 'v3' }, count: 3 },
        { type: 'api-versioning.checked', where: { scheme: 'none', ok: true }, count: 10 },
      ],
      explanation:
        'Each new key was pinned to the newest version at its first request (*pinned to v3 (2026-01-01)*), and keeps it: ' +
        'when v4 ships, these clients stay on what they were written against. The widely copied Python version reads ' +
        '`Header(default="v1")` instead: a client that sends no header silently gets v1 forever, and, written against ' +
        'the newest docs, breaks on its first call. Defaulting to the newest is no better: it breaks them the day a ' +
        'newer version ships.',
    },
    {
      title: 'Share code, break v1',
      instruction:
        'Open **versions.ts** on the **Code** tab. In the `v2` entry of `CHANGES`, replace the `toPrevious` with ' +
        '`toPrevious: (body) => body,` (as if v1 and v2 shared the handler and nobody took the split back), and save. ' +
        'Watch **Contract breaks**.',
      until: [
        { type: 'run.deployed', where: { file: 'versions.ts' } },
        { type: 'invariant.violated', where: { invariant: 'contract-kept' }, count: 5 },
      ],
      explanation:
        "Every v1 client now fails on every user: `no name; unexpected givenName; unexpected familyName`. That is the " +
        "widely copied Python version's trap: each version has its own handler, until two of them call one shared " +
        'function and a change made for v2 reaches v1. Here the change has one place to be taken back, and the lab ' +
        "checks every version's contract on every answer.",
    },
    {
      title: 'Take the change back',
      instruction: 'Undo your edit in **versions.ts** (or use **Reset to reference**) and save.',
      until: [
        { type: 'run.deployed', where: { file: 'versions.ts' } },
        { type: 'api-versioning.checked', where: { expected: 'v1', ok: true }, count: 10 },
      ],
      explanation:
        'The v2 change turns a v2 body back into a v1 body again: one small, pure function per version, listed newest ' +
        'first, and one handler to fix when there is a bug. Stripe describes running its API this way, with dated ' +
        'versions going back many years still served side by side.',
    },
    {
      title: 'When can v1 be retired?',
      instruction:
        'v1 has been announced deprecated since the run started: every v1 answer carries `Deprecation`, `Sunset` and a ' +
        '`Link` to the migration notes. Each client that reads them moves to v3 within a minute (**Upgrade takes up ' +
        'to**). Watch **Traffic per version** until the v1 clients are gone.',
      until: [
        { type: 'api-versioning.migrated', where: { from: 'v1' }, count: 2 },
        { type: 'api-versioning.fleet', where: { v1: 0 } },
      ],
      explanation:
        'The v1 line fell to zero because the clients could *read* the announcement: `Deprecation: @…` (RFC 9745, a ' +
        'date in seconds), `Sunset:` an HTTP-date (RFC 8594), `Link: <…>; rel="deprecation"`. A blog post reaches ' +
        'people; headers reach the code and the dashboards of every client. Traffic per version is how you know when ' +
        'turning v1 off will hurt no one.',
    },
    {
      title: 'The sunset',
      instruction:
        'Now the stragglers: set **Version mix** to *Mostly v1*, **Upgrade takes up to** to 0 (they never upgrade) and ' +
        '**v1 sunset after** to 10 s (already past), and press **Apply**.',
      until: [
        { type: 'params.changed', where: { 'params.migrationS': 0 } },
        { type: 'api-versioning.served', where: { version: 'v1', status: 410 }, count: 5 },
      ],
      explanation:
        'From its sunset on, v1 answers `410 Gone` with the link to the migration notes, and the handler no longer ' +
        'runs for it. The clients still on v1 were told for as long as you chose; a 410 that cites its Sunset date is ' +
        'the promise kept, not a broken contract. Deleting the v1 router instead would have answered 404, which no ' +
        'client can tell from a bug.',
    },
  ],
};
