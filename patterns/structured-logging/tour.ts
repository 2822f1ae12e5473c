/**
 * The guided tour of the checkout lab: from a healthy run, through the three
 * things structured logging has to get right (personal data, the request id
 * under concurrency, the volume under load), and back. Plain data: each step
 * is ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'checkout',
  title: 'Follow a request through the logs, then break them three ways',
  intro:
    'Every `POST /checkout` goes through the checkout service (a route, then a service that prices the cart) and on to the ' +
    'payments service, and both log JSON lines through the logger of `logger.ts`. You will follow one request across both ' +
    'services, then switch off, one at a time, what the widely copied Python version does without: redaction, a request ' +
    'context per async call, and sampling. Each time, an invariant or the volume chart shows the cost.',
  steps: [
    {
      title: 'Follow one request across the stack',
      instruction:
        'Press **▶ Start run**: 20 checkouts a second. In the **Log explorer**, open any `order placed` line: you see every ' +
        'line of its request, from `request received` in the checkout to `charge accepted` in the payments service. Type ' +
        '`userId=u-7` in the search box to see everything user u-7 did.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 20 },
        { type: 'structured-logging.line', where: { service: 'payments', msg: 'charge accepted' }, count: 20 },
        { type: 'structured-logging.line', where: { service: 'checkout', msg: 'order placed' }, count: 20 },
      ],
      explanation:
        'The checkout never passes a logger or an id from function to function: its edge runs each request inside ' +
        '`context.run({ requestId })`, and the logger reads the context for every line. The payments client reads it too, ' +
        'and sends the id in `x-request-id`; the payments service binds it to a logger of its own (`log.bind({ requestId })`). ' +
        'One id, two services, one search. And the `order placed` line logged the whole `user` and the `clientIp`, yet ' +
        'shows `[REDACTED]` for the `clientIp` and for `user.email` (the name stays: nothing says it is personal data): ' +
        'that is the next step.',
    },
    {
      title: 'Log as the widely copied Python version does: personal data',
      instruction:
        'In **Parameters**, untick **Redact personal data** and press **Apply**. Watch the invariants, and the `order placed` ' +
        'and `charge accepted` lines.',
      until: [
        { type: 'params.changed', where: { 'params.redaction': false } },
        { type: 'invariant.violated', where: { invariant: 'no-pii-in-logs' }, count: 5 },
      ],
      explanation:
        '`no-pii-in-logs` breaks on every order: `member7@example.com` and `203.0.113.16` are now in the logs, and so in ' +
        'every place the logs are copied to. The widely copied Python version logs `email=` and `ip_address=` on purpose. ' +
        'The redaction has two nets: keys (`email`, `ip`, … at any depth, so `user.email`) and patterns (anything that looks ' +
        'like an email or an IPv4 address, which catches `receiptEmail` and `clientIp`, names no key list thought of). ' +
        'Tick it again and press **Apply** before going on.',
    },
    {
      title: 'Keep the request id in a module variable',
      instruction:
        'Tick **Redact personal data** again, set **Request context kept in** to *a module variable* and press **Apply**. ' +
        'Nothing breaks yet: at 20 requests a second they rarely overlap. Now, in the **Load** panel, set **Rate** to 150 ' +
        'req/s and press **Apply**.',
      until: [
        { type: 'params.changed', where: { 'params.carrier': 'module-variable', 'params.redaction': true } },
        { type: 'invariant.violated', where: { invariant: 'every-line-has-request-id' }, count: 5 },
      ],
      explanation:
        'With requests in flight together, each one that starts overwrites the variable, and the lines of the others carry ' +
        'its id: open a line in the explorer and its "request" shows lines of another user. The widely copied Python ' +
        "version's `logger = logger.bind(request_id=\"abc-123\")` rebinds a module-level name the same way. A context per " +
        'async call (AsyncLocalStorage; `contextvars` in Python) gives each request its own.',
    },
    {
      title: 'Flood the logs with debug lines',
      instruction:
        'Set **Request context kept in** back to *each async call*, untick **Sample debug lines** and press **Apply**, with ' +
        'the load still at 150 req/s. Watch **Log volume per level**.',
      until: [
        { type: 'params.changed', where: { 'params.carrier': 'async-call', 'params.sampling': false } },
        { type: 'structured-logging.volume', where: { debug: { gte: 400 } }, count: 2 },
      ],
      explanation:
        'Every request writes three to five debug lines, so debug grows with the load: hundreds of lines a second that nobody ' +
        'reads, paid for in CPU, disk and the log vendor’s bill, burying the few lines that matter. Setting the minimum level ' +
        'to info would silence them all, including the ones you need when something goes wrong.',
    },
    {
      title: 'Sample the flood, and lose no error',
      instruction:
        'Tick **Sample debug lines** and press **Apply**. Then, in the **Faults: Payments service** panel, make payments fail ' +
        '(errors, 503) and watch the error lines.',
      until: [
        { type: 'params.changed', where: { 'params.sampling': true } },
        { type: 'structured-logging.volume', where: { sampledOut: { gte: 100 } } },
        { type: 'structured-logging.line', where: { level: 'error', msg: 'payment failed' }, count: 20 },
      ],
      explanation:
        'Debug drops to its budget (100 lines a second per service, then one in a hundred), whatever the load, and the chart ' +
        'says how many were sampled out. Every `payment failed` error is still there, each with its request id, and ' +
        '`every-failure-logged` holds: warnings and errors are never sampled. A sampler that dropped a share of every line ' +
        'alike would lose them just when you need them. Clear the fault when you are done.',
    },
  ],
};
