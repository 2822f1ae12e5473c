import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'signup',
  title: 'One failing handler, and nobody else notices',
  intro:
    'Every `POST /signup` publishes `user.created`, and three handlers react on their own: `send-welcome-email` ' +
    '(calls the email service), `create-profile` and `track-analytics`. You will break one handler and watch the ' +
    'bus contain it: retries, then a dead letter, while the other handlers and the sign-ups carry on. Then you ' +
    'fix it and replay what it missed.',
  steps: [
    {
      title: 'One event, three handlers',
      instruction:
        'Press **▶ Start run**. The default load sends 5 sign-ups per second. Watch the **Event bus** view: each ' +
        'sign-up publishes one `user.created`, and each of the three handlers handles it.',
      until: [
        { type: 'event.published', where: { name: 'user.created' }, count: 5 },
        { type: 'event.handled', where: { handler: 'send-welcome-email', ok: true }, count: 5 },
        { type: 'event.handled', where: { handler: 'create-profile', ok: true }, count: 5 },
        { type: 'event.handled', where: { handler: 'track-analytics', ok: true }, count: 5 },
      ],
      explanation:
        'The sign-up answers 201 as soon as its event is published (about a millisecond in the **Request log**): ' +
        'the user exists, and the email, profile and analytics are consequences that follow. The handlers run after ' +
        'it, concurrently, each in its own delivery, all `ok` on attempt 1. The sign-up code does not know they ' +
        'exist: a fourth handler would be one more `subscribe`.',
    },
    {
      title: 'Break analytics',
      instruction:
        'In the **track-analytics handler** fault panel, press **Fail 100%**: every call to the handler now throws. ' +
        'Watch the **Event bus** view, the **Request log** and the **Logs**.',
      until: [
        { type: 'fault.changed', where: { point: 'track-analytics', 'spec.errorRate': 1 } },
        { type: 'event.handled', where: { handler: 'track-analytics', ok: false, attempt: 3 } },
        { type: 'event.deadletter', where: { handler: 'track-analytics', attempts: 3 } },
        { type: 'event.handled', where: { handler: 'send-welcome-email', ok: true }, count: 5 },
        { type: 'event.handled', where: { handler: 'create-profile', ok: true }, count: 5 },
        { type: 'request', where: { direction: 'inbound', outcome: 'ok', status: 201 }, count: 5 },
      ],
      explanation:
        "Each event's analytics failed three times, at +0, +100 and +300 ms (the backoff doubles), and was then " +
        'dead-lettered: kept with the event, the handler and the error, and a warning in the logs. Meanwhile the ' +
        'email and the profile still succeeded on attempt 1, and the sign-ups still answer 201 at the same latency. ' +
        "The failure stayed inside analytics' own delivery. In the widely copied Python version, " +
        '`await asyncio.gather(*[handler(event) for handler in handlers])` would have failed the whole publish, and ' +
        'every sign-up with it.',
    },
    {
      title: 'Fix it, then replay what it missed',
      instruction:
        'Press **Clear** on the **track-analytics handler** fault panel. Then, in **Parameters**, set **Replay dead ' +
        'letters every** to 3000 ms and press **Apply**. Watch the **Logs**.',
      until: [
        { type: 'params.changed', where: { 'params.redriveEveryMs': { gte: 1_000 } } },
        { type: 'event.handled', where: { handler: 'track-analytics', ok: true } },
        { type: 'log', where: { level: 'info', 'fields.delivered': { gte: 1 } } },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'track-analytics', injected: true }],
          hint: 'The **track-analytics handler** still fails, so every replayed letter fails again: clear its fault first (**Clear** on its fault panel).',
        },
      ],
      explanation:
        'The log says *replaying N dead letters*, then *replay: N of N delivered*. Each dead letter went back to ' +
        '`track-analytics`, and only to it, under its original event id: no second welcome email, no second ' +
        'profile, and analytics, which dedupes on the id, counts each sign-up once. (Replayed while still broken, ' +
        'a letter simply comes back under a new id.) These letters live in memory: save a change to an editable ' +
        'file while some are waiting and the log tells you how many a restart lost. That is why real systems keep ' +
        'them in a table or a broker.',
    },
    {
      title: 'A flaky email service',
      instruction:
        'Set **Replay dead letters every** back to 0. On the **Email service** fault panel, set the error rate to ' +
        '30% with status 503, and press **Apply**.',
      until: [
        { type: 'fault.changed', where: { point: 'email', 'spec.errorRate': { gte: 0.1 } } },
        { type: 'event.handled', where: { handler: 'send-welcome-email', ok: true, attempt: 2 }, count: 3 },
      ],
      explanation:
        'Most failed emails now succeed on attempt 2, 100 ms later: the **Request log** shows the outbound ' +
        'calls of one sign-up with attempt 1 and 2. Only when all three attempts fail (0.3³, about 3 in 100) is a ' +
        'welcome email dead-lettered. Set **Attempts per handler** to 1 and about 30 in 100 are: retries are what ' +
        'turn a blip into a non-event. The email service drops a second message with the same `idempotency-key` ' +
        '(the event id), so a retry after a lost answer does not send two emails.',
    },
    {
      title: 'Wait for the handlers, and feel the coupling',
      instruction:
        'On the **Email service** fault panel, choose the error **hang** at 100% and **Apply**. In **Parameters**, ' +
        'set **Sign-up answers** to *After every handler has finished* and **Apply**. Watch the sign-up latency in ' +
        'the **Request log**.',
      until: [
        { type: 'params.changed', where: { 'params.delivery': 'wait' } },
        { type: 'event.handled', where: { handler: 'send-welcome-email', ok: false, error: 'The handler did not finish within 1000 ms' } },
        { type: 'request', where: { direction: 'inbound', outcome: 'ok', durationMs: { gte: 2_000 } }, count: 3 },
      ],
      explanation:
        'Every email attempt now ends at the 1 s handler timeout, and the sign-ups still answer 201: a handler never ' +
        'fails the publisher. But they take seconds (1 s, 100 ms, 1 s, 200 ms, 1 s with 3 attempts), because the ' +
        "sign-up now waits for its slowest handler, as the widely copied Python version's " +
        '`await asyncio.gather(...)` does. Switch back to *After publishing*: the sign-ups are fast again while the ' +
        'email keeps failing behind them. Publishing an event is how the sign-up stops depending on its consequences.',
    },
  ],
};
