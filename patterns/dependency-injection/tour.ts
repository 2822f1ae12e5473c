import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'signup',
  title: 'Lifetimes, a live swap, and a leaked scope',
  intro:
    'Every `POST /signup` runs in a scope of its own: the container builds `SignupHandler → UserService → ' +
    'UserRepository → DbConnection` for that request, reuses the singletons (`ConnectionPool`, `EmailSender`), ' +
    'and disposes what the scope created when the request ends, which gives the request’s database connection ' +
    'back to the pool. You will watch the lifetimes, swap an implementation without touching its consumers, run ' +
    'the pool short, then leak a scope and watch the whole app go down with it.',
  steps: [
    {
      title: 'Created, reused, disposed',
      instruction:
        'Press **▶ Start run**. Watch **Created or reused** and the **Scopes** table while about ten sign-ups go through.',
      until: [
        { type: 'di.scope', where: { outcome: 'ok', undisposed: '' }, count: 10 },
        { type: 'di.resolved', where: { token: 'ConnectionPool', reused: true }, count: 5 },
      ],
      explanation:
        'Each request created five instances (four scoped services and one transient `IdGenerator`) and disposed ' +
        'five: **left behind** stays empty. The singletons were built once, by the root, and every request since ' +
        'reused them. Each sign-up is a row of the run’s SQLite `users` table, reached through the request’s ' +
        '`DbConnection`: a look-up, then an insert. The **Dependency graph** reads left to right: who needs whom, with each lifetime. Nothing in ' +
        '`UserService` says how long anything lives: `composition-root.ts` does, in one place.',
    },
    {
      title: 'Fail the email, keep the connections',
      instruction:
        'On the **Email service** fault panel, set the error rate to 100% with status 503 and **Apply**. Watch the ' +
        '**Request log** and the **Connection pool**.',
      until: [
        { type: 'fault.changed', where: { point: 'email', 'spec.errorRate': { gte: 0.5 } } },
        { type: 'request', where: { direction: 'inbound', status: 502 }, count: 5 },
        { type: 'di.scope', where: { outcome: 'error', undisposed: '' }, count: 5 },
      ],
      explanation:
        'Every sign-up now fails with 502, yet **in use** falls back to 0 after each one: `withRequestScope` ' +
        'disposes the scope in `finally`, so a failed request gives its connection back like a successful one. ' +
        'The widely copied Python version does the same with `try: yield db` / `finally: db.close()`, in every ' +
        'generator that remembers to.',
    },
    {
      title: 'Swap the implementation, not the consumer',
      instruction:
        'Leave the email service broken. In **Parameters**, set **Email sender** to *FakeEmailSender* and **Apply**.',
      until: [
        { type: 'params.changed', where: { 'params.emailSender': 'fake' } },
        { type: 'di.registered', where: { token: 'EmailSender', replaced: true } },
        { type: 'di.resolved', where: { token: 'EmailSender', implementation: 'FakeEmailSender' } },
        { type: 'request', where: { direction: 'inbound', status: 201 }, count: 5 },
      ],
      explanation:
        'The composition root registered another class under the same token, and from the next request on ' +
        '`UserService` got the fake: sign-ups succeed and nothing calls the email service. `UserService` was not ' +
        'touched; it asked for an `EmailSender` and never knew which one it had. Set it back to *HttpEmailSender* ' +
        'and clear the fault when you are done.',
    },
    {
      title: 'Hold the connections too long',
      instruction:
        'With **Email sender** back on *HttpEmailSender* (the fake never calls the email service), clear the errors ' +
        'on the **Email service** fault panel and give it 400 ms of latency on every call. In **Parameters**, set ' +
        '**Connection pool size** to 2. Watch the **Connection pool** and the charts.',
      until: [
        { type: 'params.changed', where: { 'params.poolSize': { lte: 2 } } },
        { type: 'fault.changed', where: { point: 'email', 'spec.latency.baseMs': { gte: 200 } } },
        { type: 'pool.connection', where: { kind: 'exhausted' }, count: 3 },
      ],
      explanation:
        'A request keeps its connection until its scope ends, and the welcome email is sent before that: each ' +
        'sign-up now holds a connection for about 400 ms it does not use. Two connections serve about five ' +
        'sign-ups a second of the ten sent, and the others give up after 500 ms with `connection pool exhausted` ' +
        '(503). No invariant breaks: every scope still disposes what it created; the pool is simply too small for ' +
        'how long requests hold it. Put the size back to 5 and clear the latency.',
    },
    {
      title: 'Leak a scope',
      instruction:
        'Open `composition-root.ts` on the **Code** tab. In `withRequestScope`, replace the whole `try { … } ' +
        'finally { … }` with `const result = await work(scope); void scope.dispose(); return result;` and save. ' +
        'Then, with **Email sender** still on *HttpEmailSender*, set the **Email service** to fail 30% of calls with 503.',
      until: [
        { type: 'run.deployed', where: { file: 'composition-root.ts' } },
        { type: 'invariant.violated', where: { invariant: 'scope-disposes-what-it-created' } },
        { type: 'pool.connection', where: { kind: 'exhausted' }, count: 5 },
      ],
      explanation:
        'Each failed sign-up skipped the disposal, so its `DbConnection` never went back: **left behind** names it, ' +
        '*in use* climbs one failure at a time, and once it reaches the pool size every request fails with ' +
        '`connection pool exhausted`, even those whose email would have worked. A 30% failure rate became a 100% ' +
        'outage that outlives its cause. (Successful sign-ups break the invariant too: they answer before their ' +
        'scope is disposed.) That is the generator without `try/finally` in the widely copied Python version.',
    },
    {
      title: 'Put the finally back',
      instruction: 'Undo your change to `withRequestScope` and save.',
      until: [
        { type: 'run.deployed', where: { file: 'composition-root.ts' } },
        { type: 'di.scope', where: { outcome: 'error', undisposed: '' }, count: 3 },
        { type: 'request', where: { direction: 'inbound', status: 201 }, count: 10 },
      ],
      explanation:
        'The redeploy built a new container and a new pool; failed sign-ups give their connections back again and ' +
        'the rest succeed. Exercise *Dispose what a scope created* asks you to write it yourself, with a slow ' +
        'disposer to wait for.',
    },
  ],
};
