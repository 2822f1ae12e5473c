/**
 * The guided tour of the signup lab: healthy traces, colliding sign-ups, the
 * invariant broken by the check-then-insert of the widely copied Python
 * version, and a busy database answered with a clean 503. Plain data: each
 * step is ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'signup',
  title: 'Through the layers, into the check-then-insert race, and out of it',
  intro:
    'Every request to the users API goes through three layers: a thin route (`routes.ts`), the `UserService` with the ' +
    'sign-up rules (`user-service.ts`), and the repository and unit of work over SQLite (`repository.ts`). You will ' +
    'follow requests through them, make sign-ups for one address collide, watch duplicates get in when only the ' +
    "service's look-up stands in the way (as in the widely copied Python version), and make the database busy to see " +
    'what the client is told.',
  steps: [
    {
      title: 'Follow a request through the layers',
      instruction:
        'Press **▶ Start run**. The load sends 20 requests a second: four in five sign someone new up (`POST /users`), ' +
        'the others look a user up (`GET /users/:id`). Watch the **Route → service → repository → SQL** flow, then open ' +
        'a `POST /users` row in the **Traces** table.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'ok', status: 201 }, count: 20 },
        { type: 'service-layer.span', where: { layer: 'repository', name: 'add', ok: true }, count: 20 },
        { type: 'sql', where: { rows: 1 }, count: 20 },
      ],
      explanation:
        'A sign-up is one route span, one `signUp` span, then three steps inside it: `findByEmail` (a `SELECT`), the ' +
        '`emailCheck` (about 50 ms, the slowest part) and `add` (an `INSERT` in its own transaction, between `BEGIN` and ' +
        "`COMMIT`). The route did nothing but turn HTTP into a call and the result into a 201: the rules (the address " +
        'trimmed and lower-cased, the name present) are the service\u2019s.',
    },
    {
      title: 'Make sign-ups collide',
      instruction:
        'In **Parameters**, set **Distinct emails per second** to 2 and press **Apply**: each second, 16 sign-ups now ' +
        'share two new addresses, some typed `U1-7@Example.com`, some `u1-7@example.com`.',
      until: [
        { type: 'params.changed', where: { 'params.distinctEmails': { lte: 5 } } },
        { type: 'request', where: { direction: 'inbound', status: 409 }, count: 20 },
      ],
      explanation:
        'Most of the 409s come from the look-up: the address was taken a few hundred milliseconds earlier. But look for ' +
        'a 409 whose trace has a failed `add`: that sign-up passed `findByEmail` while another one for the same address ' +
        'was inside its email check. Both went on to insert; the UNIQUE constraint on `users.email` let the first in and ' +
        'refused the second, and the repository turned SQLite\u2019s refusal into `EmailTaken`, a 409 like the others. ' +
        'The capitals made no difference either: the service normalizes the address before anything else.',
    },
    {
      title: 'Take the constraint away',
      instruction:
        'Keep the load and the parameters. On the **Code** tab, open `repository.ts`, delete `UNIQUE` from the ' +
        '`email` column in `USERS_SCHEMA`, and save: the run redeploys and keeps its data, and the lab re-creates the ' +
        '`users` table from your schema. (The service still looks every address up first.) Watch the invariants and ' +
        'the **Logs**.',
      until: [{ type: 'invariant.violated', where: { invariant: 'unique-email' }, count: 3 }],
      explanation:
        'Now nothing but the look-up stands between two sign-ups and the same address, as in the widely copied Python ' +
        'version (`_email_exists`, then `create`). Two requests that arrive within one email check of each other both ' +
        'find nothing, both insert, and both are told 201 Created: `unique-email` is broken, and the lab counts each ' +
        'duplicate. No amount of care in the service closes this window: only the database sees every insert, one at ' +
        'a time.',
    },
    {
      title: 'Put the constraint back',
      instruction:
        'Put `UNIQUE` back in `repository.ts` and save. Watch the **Logs** for what happened to the duplicates.',
      until: [
        { type: 'service-layer.schema', where: { created: false } },
        { type: 'request', where: { direction: 'inbound', status: 409 }, count: 10 },
      ],
      explanation:
        'A unique constraint cannot be added over duplicates, so the lab re-created the table and copied the users back, ' +
        'keeping the first of each email and dropping the others (the log says how many). In production that is a ' +
        'migration someone has to write, deciding which account wins: one more reason to have the constraint from the ' +
        'first day. The same load now gets 409s again, and no duplicate.',
    },
    {
      title: 'Make the database busy',
      instruction:
        'In the **Faults: Database** panel, make a third of the statements fail with *busy* and press **Apply**. Open a ' +
        'failed request in the **Request log**.',
      until: [
        { type: 'fault.changed', where: { point: 'database', 'spec.enabled': true } },
        { type: 'request', where: { direction: 'inbound', status: 503 }, count: 10 },
      ],
      explanation:
        "The repository's statements now fail with `SQLITE_BUSY`, and the client reads `503 the service is busy, try " +
        "again in a moment` with a `Retry-After`: `errorResponse` in `routes.ts` is the one place an error becomes a " +
        'status, and it never passes SQLite\u2019s message on (the `no-sql-in-answers` invariant watches that). The widely ' +
        "copied Python version turns every `ValueError` into a 400 with `str(e)` as its detail: the client would read " +
        'the database\u2019s own words, with a status that blames the client.',
    },
  ],
};
