import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter rebinds one module-level logger as each request comes in (as the widely copied
    // Python version rebinds `logger`): at 80 checkouts a second requests overlap, and a request's
    // lines after its first await carry the id of whichever request came in last.
    pattern: 'structured-logging',
    lab: 'checkout',
    exercise: '02-bind-the-request-id',
    invariant: 'every-line-has-request-id',
    load: { model: 'open', rate: 80, clients: 4 },
    faults: [],
    untilMs: 3_000,
  },
  {
    // The starter redacts sensitive keys at the top of a line only: the `order placed` line logs the
    // whole user, whose email is `user.email`, and the client's address under `clientIp`.
    pattern: 'structured-logging',
    lab: 'checkout',
    exercise: '03-redact-personal-data',
    invariant: 'no-pii-in-logs',
    load: { model: 'open', rate: 20, clients: 4 },
    faults: [],
    untilMs: 2_000,
  },
  {
    // The starter counts every level against one budget: at 150 checkouts a second the debug and
    // info lines spend it early in each second, and the errors of failed payments that follow are
    // sampled out with them, ninety-nine in a hundred.
    pattern: 'structured-logging',
    lab: 'checkout',
    exercise: '04-sample-without-losing-errors',
    invariant: 'every-failure-logged',
    load: { model: 'open', rate: 150, clients: 4 },
    faults: [{ atMs: 1_000, point: 'payments', spec: fault({ errorRate: 0.3, error: { kind: 'status', status: 503 } }) }],
    untilMs: 4_000,
  },
];
