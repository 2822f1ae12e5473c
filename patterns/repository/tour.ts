import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'store',
  title: 'What the repository hides, and what it must not',
  intro:
    'Every request of the store lab goes through the repositories of this folder, over 100,000 users in SQLite. ' +
    'You will watch the statements they send, make a list page send 21 of them and then one, read a page 90,000 ' +
    'users deep by OFFSET and then by key, and lose acknowledged edits the way the widely copied Python ' +
    'version\u2019s `update(id, obj)` does, before the version column stops it.',
  steps: [
    {
      title: 'A healthy mix',
      instruction:
        'Press **▶ Start run**. The default load sends 20 requests a second: gets, finds by email, pages, edits and ' +
        'sign-ups. Watch the **Requests** log (its *statements* column) beside the **Query log**.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 40 },
        { type: 'request', where: { direction: 'inbound', target: 'POST /signups', outcome: 'ok' } },
        { type: 'sql', where: { statement: 'COMMIT' } },
      ],
      explanation:
        'Each request sent one to four statements, and the service code that sent them knows no SQL: it calls ' +
        '`users.get`, `users.list`, `users.update`. A sign-up is `BEGIN`, an `INSERT` of the user, an `INSERT` of ' +
        'the first order and `COMMIT`: `unitOfWork.run` made the two repository calls one transaction. (Seeding ' +
        'the 100,000 users took two statements, a recursive CTE each, not 100,000 INSERTs.)',
    },
    {
      title: 'A list page, the N+1 way',
      instruction:
        'In **Parameters**, set **Workload** to *Users with their orders: a page, then each user\u2019s orders (N+1)* ' +
        'and press **Apply**. Open a request in the **Requests** log.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'orders-n-plus-one' } },
        { type: 'repository.listing', where: { strategy: 'n-plus-one', statements: { gte: 21 } }, count: 10 },
      ],
      explanation:
        'One query for the page of 20 users, then `orders.listByUser(id)` once per user: 21 statements a request, ' +
        'the same `SELECT … FROM orders WHERE user_id = ?` twenty times (see **Operations and their statements**). ' +
        'Each one is a round trip, and each pays the database\u2019s latency. In memory the same loop is free, which ' +
        'is why tests against a fake never show it.',
    },
    {
      title: 'The same page with one join',
      instruction:
        'Set **Workload** to *Users with their orders: one query with a join* and **Apply**. For a stronger contrast, ' +
        'give the **database** fault point 5 ms of latency on every statement.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'orders-join' } },
        { type: 'repository.listing', where: { strategy: 'join', statements: 1 }, count: 10 },
      ],
      explanation:
        '`users.listWithOrders` returns the same users and orders with one statement: the page of users in a ' +
        'subquery, `LEFT JOIN orders`. With latency on each statement, the N+1 page took 21 times the join\u2019s. ' +
        'The repository is the place for this: the service asks for what it needs, and the implementation makes ' +
        'it one query.',
    },
    {
      title: 'A deep page by OFFSET',
      instruction:
        'Set **Workload** to *A deep page by OFFSET* with **Page depth** 90,000 and **Apply**. Look at **Pages and ' +
        'listings** and at the statement times in the **Query log**.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'page-offset' } },
        { type: 'repository.page', where: { strategy: 'offset', depth: { gte: 50_000 } }, count: 10 },
      ],
      explanation:
        '`LIMIT 20 OFFSET 90000` is what the widely copied Python version\u2019s `.offset(skip).limit(limit)` sends. ' +
        'SQLite cannot jump to row 90,000: it walks the table from the first row and throws 90,000 away for every ' +
        'page (*rows skipped*): SQLite\u2019s `EXPLAIN QUERY PLAN` for it says `SCAN users` (lab.test.ts checks it). ' +
        'Move the depth and the time follows it.',
    },
    {
      title: 'The same page by key',
      instruction: 'Set **Workload** to *A deep page by key* and **Apply**, at the same depth.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'page-keyset' } },
        { type: 'repository.page', where: { strategy: 'keyset', depth: { gte: 50_000 } }, count: 10 },
      ],
      explanation:
        '`WHERE id > ? ORDER BY id LIMIT 21`: the primary key finds where the page starts (its `EXPLAIN QUERY PLAN` ' +
        'says `SEARCH users USING INTEGER PRIMARY KEY`), so the 4,500th page costs what the first does, and a ' +
        'user removed before the cursor cannot make the next page skip anyone. The cursor is the last id seen: `Page.next`.',
    },
    {
      title: 'Lose an acknowledged edit',
      instruction:
        'Set **Workload** to *Concurrent edits, version read again just before writing* and **Apply**. A few users ' +
        '(**Users being edited**) are edited by many requests at once: each reads the user, thinks for a few ' +
        'milliseconds, and writes the edit count plus one.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'edits-unchecked' } },
        { type: 'invariant.violated', where: { invariant: 'no-lost-update' } },
      ],
      explanation:
        'Two requests read edit 6, both wrote edit 7, and both were answered 200: one acknowledged edit is gone. ' +
        'Reading the version again just before writing is what the widely copied Python version\u2019s ' +
        '`update(id, obj)` amounts to (it fetches the row and overwrites it): the check passes whatever happened ' +
        'since the caller read the user. The lab counted the acknowledged edits itself, and its invariant broke.',
    },
    {
      title: 'The version column stops it',
      instruction: 'Set **Workload** to *Concurrent edits of a few users, version checked* and **Apply**. Watch the **Edits** table.',
      until: [
        { type: 'params.changed', where: { 'params.workload': 'edits-versioned' } },
        { type: 'repository.edit', where: { outcome: 'conflict' }, count: 3 },
        { type: 'repository.edit', where: { outcome: 'applied' }, count: 20 },
      ],
      explanation:
        'Each edit now expects the version it read: `UPDATE … WHERE id = ? AND version = ?`, the check and the ' +
        'write in one statement. The second of two editors finds no row at its version and gets a ' +
        '`ConcurrencyError`; it reads again and retries on top of the first edit. Conflicts show, nothing is lost, ' +
        'and the invariant holds. Exercise 2 has you write that check; exercise 1 shows how an update that copies ' +
        'every attribute quietly defeats it.',
    },
  ],
};
