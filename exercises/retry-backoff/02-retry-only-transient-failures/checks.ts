import { defineChecks, DownstreamError, type CheckContext } from '../../../patterns/kit/index.ts';
import { Backoff } from '../../../patterns/retry-backoff/backoff.ts';
import { HttpStatusError } from '../../../patterns/retry-backoff/errors.ts';
import { RetryPolicy, type GiveUpReason } from '../../../patterns/retry-backoff/retry.ts';

/** What a form handler throws for bad input. */
class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** What an open circuit breaker throws (the circuit-breaker pattern's class, by name). */
class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError';
}

/** What a circuit breaker's own call timeout throws, or `AbortSignal.timeout()` aborts with. */
class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const answered = (status: number) => new HttpStatusError(status, {}, 'inventory');

interface Outcome {
  attempts: number;
  reason: GiveUpReason | undefined;
  rejectedWith: unknown;
}

/**
 * Runs a policy of 3 attempts (waits of 100 and 200 ms) against an operation
 * that always throws `error`, to the end, and says how it went.
 */
const runAgainst = async ({ clock, random }: CheckContext, error: unknown): Promise<Outcome> => {
  const policy = new RetryPolicy({
    clock,
    random,
    maxAttempts: 3,
    backoff: new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 1_000, jitter: 'none' }),
  });
  let reason: GiveUpReason | undefined;
  policy.onGiveUp((event) => (reason = event.reason));
  let attempts = 0;
  const done = policy
    .execute(() => {
      attempts++;
      throw error;
    })
    .then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
  await clock.advance(1_000);
  const rejectedWith = await done;
  policy.dispose();
  return { attempts, reason, rejectedWith };
};

const describe = (error: unknown): string =>
  error instanceof HttpStatusError ? String(error.status) : error instanceof DownstreamError ? error.code : error instanceof Error ? error.name : JSON.stringify(error);

/** The failures of `errors` whose attempts differ from `expected`, described for a message. */
const attemptsOf = async (context: CheckContext, errors: unknown[], expected: number) => {
  const wrong: string[] = [];
  for (const error of errors) {
    const { attempts } = await runAgainst(context, error);
    if (attempts !== expected) wrong.push(`${describe(error)} (${attempts} attempt${attempts === 1 ? "" : "s"})`);
  }
  return wrong;
};

/** Expects `error` to end the execution after one attempt, as not retryable, with the error itself. */
const failsAtOnce = async (context: CheckContext, error: unknown, what: string) => {
  const { expect } = context;
  const { attempts, reason, rejectedWith } = await runAgainst(context, error);
  expect.equal(attempts, 1, `attempts made when ${what}`);
  expect.equal(reason, 'not-retryable', `the give-up reason when ${what}`);
  expect.ok(rejectedWith === error, `execute() should reject with the original error when ${what}, got ${String(rejectedWith)}`);
};

export default defineChecks([
  {
    task: 1,
    name: 'a 400 Bad Request fails at once, with the 400 itself',
    run: (context) => failsAtOnce(context, answered(400), 'inventory answered 400 Bad Request'),
  },
  {
    task: 1,
    name: 'answers about the request (401, 403, 404, 409, 410, 422) and 501, 505 are not retried',
    async run(context) {
      const wrong = await attemptsOf(context, [401, 403, 404, 409, 410, 422, 501, 505].map(answered), 1);
      context.expect.equal(wrong, [], 'statuses that were retried although the same request gets the same answer');
    },
  },
  {
    task: 1,
    name: 'answers that say "not now" (408, 429, 500, 502, 503, 504) are retried',
    async run(context) {
      const wrong = await attemptsOf(context, [408, 429, 500, 502, 503, 504].map(answered), 3);
      context.expect.equal(wrong, [], 'transient statuses that did not get all 3 attempts');
    },
  },
  {
    task: 2,
    name: 'a reset or refused connection and a timed-out attempt are retried',
    async run(context) {
      const errors = [
        new DownstreamError('ECONNRESET', 'inventory'),
        new DownstreamError('ECONNREFUSED', 'inventory'),
        new DownstreamError('ETIMEDOUT', 'inventory'),
        new TimeoutError('The call did not finish within 500 ms'),
      ];
      const wrong = await attemptsOf(context, errors, 3);
      context.expect.equal(wrong, [], 'connection failures and timeouts that did not get all 3 attempts');
    },
  },
  {
    task: 2,
    name: 'a call aborted because our caller gave up (ABORTED) is not retried',
    run: (context) =>
      failsAtOnce(context, new DownstreamError('ABORTED', 'inventory'), 'the call to inventory was aborted because our caller gave up (ABORTED)'),
  },
  {
    task: 3,
    name: 'a bug in our own code (a TypeError) fails at once',
    run: (context) =>
      failsAtOnce(context, new TypeError("Cannot read properties of undefined (reading 'sku')"), 'our own code threw a TypeError'),
  },
  {
    task: 3,
    name: 'a validation error fails at once',
    run: (context) => failsAtOnce(context, new ValidationError('sku must not be empty'), 'the request failed validation'),
  },
  {
    task: 3,
    name: 'an open circuit breaker fails at once',
    run: (context) =>
      failsAtOnce(context, new BrokenCircuitError('The circuit is open: calls fail fast until it has recovered'), 'the circuit breaker refused the call'),
  },
  {
    task: 3,
    name: 'something thrown that is not an Error fails at once',
    run: (context) => failsAtOnce(context, 'inventory is sulking', 'the call threw a plain string'),
  },
]);
