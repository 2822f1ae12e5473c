/**
 * The guided tour of the flaky lab: retries riding out a flaky inventory,
 * a 429 whose Retry-After sets the wait, a 400 that is not retried, and
 * what the jitter strategies do to the waits. Plain data: each step is
 * ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'flaky',
  title: 'Retry what may pass, wait well, give up on the rest',
  intro:
    'The product page asks the **inventory** service for stock, through a retry policy: 5 attempts, exponential backoff ' +
    'from 100 ms with full jitter, a 500 ms timeout per attempt and a 3 s deadline per request. Inventory fails 20 % of ' +
    'its calls with a 503 on its own. You will watch the retries, throttle inventory, send it bad requests and compare ' +
    'jitter strategies.',
  steps: [
    {
      title: 'Watch the retries',
      instruction:
        'Press **Start run**. The **Load** panel sends 10 `GET /products/:sku` requests a second. In the **retries** view, ' +
        'each request is a row of attempts and the waits between them.',
      until: [
        { type: 'retry.attempt', where: { attempt: 1 }, count: 5 },
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 20 },
      ],
      explanation:
        'About one request in five met a 503 on its first attempt, waited a random 0–100 ms (full jitter on a 100 ms ' +
        'delay) and tried again. The user still got `ok`, a few milliseconds later. Each `retry.attempt` event is one of ' +
        'those waits, emitted before the policy sleeps.',
    },
    {
      title: 'Throttle it',
      instruction:
        'In the **Faults: Inventory service** panel, tick **inject faults here**, set the **Error rate** to 30 %, the ' +
        '**Error** to HTTP status **429** with **Retry-After** 1 s, and press **Apply**.',
      until: [
        {
          type: 'fault.changed',
          where: { point: 'inventory', 'spec.enabled': true, 'spec.error.status': 429, 'spec.error.retryAfterSeconds': 1 },
        },
        { type: 'retry.attempt', where: { error: 'inventory answered 429', delayMs: 1_000 }, count: 3 },
      ],
      explanation:
        'After a 429 the wait is exactly 1000 ms: the server asked for a second, so the policy never comes back earlier. ' +
        'Retry-After sets a floor under the backoff (capped at `maxRetryAfterMs`). A request that meets three 429s cannot ' +
        'fit another wait in its 3 s deadline, and gives up as `deadline` rather than sleeping first.',
    },
    {
      title: 'Send it bad requests',
      instruction:
        'In the same panel, change the **Error** to HTTP status **400**, set the **Error rate** to 50 %, clear ' +
        '**Retry-After**, and press **Apply**. Watch the request log and the give-ups.',
      until: [
        { type: 'fault.changed', where: { point: 'inventory', 'spec.enabled': true, 'spec.error.status': 400 } },
        { type: 'retry.giveup', where: { attempts: 1, error: 'not-retryable: inventory answered 400' }, count: 3 },
      ],
      explanation:
        'A 400 is about the request, not the moment: sending it again gets the same 400. `isRetryable` (an allow-list in ' +
        '`retryable.ts`) says no, so the policy gives up after one attempt with the original error, reason `not-retryable`, ' +
        'and the user gets the answer at once instead of after five slow tries.',
    },
    {
      title: 'Take the jitter away',
      instruction:
        'Press **Clear** in the fault panel. Then in the **Parameters** panel, set **Jitter** to **None** and press **Apply**. ' +
        'Watch the waits in the **retries** view.',
      until: [
        { type: 'params.changed', where: { 'params.jitter': 'none' } },
        { type: 'retry.attempt', where: { attempt: 1, delayMs: 100 }, count: 5 },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'inventory', injected: true }],
          hint: 'Inventory still has the fault from the last step, so its answers are not retried with the base wait: clear the fault first (**Clear** in the fault panel).',
        },
      ],
      explanation:
        'Without jitter every first wait is exactly 100 ms, then 200, then 400. Here that is harmless, because the failures ' +
        'are spread out. But clients that fail *together* (a restart, an outage) would retry together too, in waves as ' +
        'tall as the first failure. The **contention** lab shows that thundering herd.',
    },
    {
      title: 'Try decorrelated jitter',
      instruction: 'In the **Parameters** panel, set **Jitter** to **Decorrelated** and press **Apply**.',
      until: [
        { type: 'params.changed', where: { 'params.jitter': 'decorrelated' } },
        { type: 'retry.attempt', where: { attempt: 1, delayMs: { gte: 150 } }, count: 3 },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'inventory', injected: true }],
          hint: 'Inventory has a fault injected, so the waits come from it, not from the jitter: clear the fault first (**Clear** in the fault panel).',
        },
      ],
      explanation:
        'Decorrelated jitter draws each wait between the base and three times the *previous* wait, so first waits now range ' +
        'from 100 to 300 ms, and two clients drift apart after one retry. Full and equal jitter spread the delay itself ' +
        '(0–d and d/2–d). Which one you pick matters far less than picking one. Next: the exercises, starting with adding ' +
        'jitter yourself.',
    },
  ],
};
