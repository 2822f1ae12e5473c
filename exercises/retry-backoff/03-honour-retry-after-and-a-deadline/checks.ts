import { defineChecks, type CheckContext } from '../../../patterns/kit/index.ts';
import { Backoff, type BackoffOptions } from '../../../patterns/retry-backoff/backoff.ts';
import { DeadlineExceededError, HttpStatusError } from '../../../patterns/retry-backoff/errors.ts';
import {
  RetryPolicy,
  type GiveUpEvent,
  type RetryEvent,
  type RetryOptions,
} from '../../../patterns/retry-backoff/retry.ts';

/** Exponential from 100 ms without jitter unless told otherwise: every wait is known exactly. */
const exact = (options: BackoffOptions = {}) =>
  new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 10_000, jitter: 'none', ...options });

const makePolicy = ({ clock, random }: CheckContext, options: RetryOptions = {}) => {
  const policy = new RetryPolicy({ clock, random, backoff: exact(), maxAttempts: 5, ...options });
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  policy.onRetry((e) => retries.push(e));
  policy.onGiveUp((e) => giveUps.push(e));
  return { policy, retries, giveUps };
};

const throttled = (retryAfter: string) => new HttpStatusError(429, { 'Retry-After': retryAfter }, 'inventory');
const unavailable = () => new HttpStatusError(503, {}, 'inventory');

/**
 * An operation that throws `errors[0]` on the first attempt, `errors[1]` on
 * the second…, and succeeds once they run out. It records when each attempt started.
 */
const script = ({ clock }: CheckContext, errors: unknown[]) => {
  const startedAt: number[] = [];
  const fn = (attempt: number) => {
    startedAt.push(clock.now());
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return 'in stock';
  };
  return { fn, startedAt };
};

/** Watches a promise without awaiting it: when it settled (clock time) and how. */
const watch = ({ clock }: CheckContext, promise: Promise<unknown>) => {
  const state: { settledAt?: number; value?: unknown; error?: unknown; rejected?: boolean } = {};
  void promise.then(
    (value) => Object.assign(state, { settledAt: clock.now(), value, rejected: false }),
    (error: unknown) => Object.assign(state, { settledAt: clock.now(), error, rejected: true }),
  );
  return state;
};

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export default defineChecks([
  {
    task: 1,
    name: 'a 429 with Retry-After: 2 waits 2 s before the next attempt',
    async run(context) {
      const { clock, expect } = context;
      const { policy, retries } = makePolicy(context);
      const { fn, startedAt } = script(context, [throttled('2')]);
      const result = watch(context, policy.execute(fn));
      await clock.advance(5_000);
      expect.equal(result.value, 'in stock', 'what execute() resolved with');
      expect.equal(
        startedAt,
        [0, 2_000],
        'when the attempts started, in ms, after inventory answered 429 with Retry-After: 2 (our own backoff said 100 ms)',
      );
      expect.equal(
        retries.map(({ delayMs, retryAfterMs }) => ({ delayMs, retryAfterMs })),
        [{ delayMs: 2_000, retryAfterMs: 2_000 }],
        'what onRetry reported (delayMs and retryAfterMs)',
      );
      policy.dispose();
    },
  },
  {
    task: 1,
    name: 'our own backoff wins when it is longer than Retry-After',
    async run(context) {
      const { clock, expect } = context;
      const { policy } = makePolicy(context, { backoff: exact({ strategy: 'constant', baseMs: 1_500 }) });
      const { fn, startedAt } = script(context, [throttled('1'), unavailable()]);
      watch(context, policy.execute(fn));
      await clock.advance(10_000);
      expect.equal(
        startedAt,
        [0, 1_500, 3_000],
        'when the attempts started, in ms (a 429 with Retry-After: 1, then a plain 503; the backoff is a constant 1 500 ms)',
      );
      policy.dispose();
    },
  },
  {
    task: 1,
    name: 'a Retry-After longer than maxRetryAfterMs is capped; maxRetryAfterMs 0 ignores it',
    async run(context) {
      const { clock, expect } = context;
      const capped = makePolicy(context, { maxRetryAfterMs: 30_000 });
      const first = script(context, [throttled('3600')]);
      watch(context, capped.policy.execute(first.fn));
      await clock.advance(60_000);
      expect.equal(
        first.startedAt,
        [0, 30_000],
        'when the attempts started, in ms, after a 429 asking for an hour (Retry-After: 3600) with maxRetryAfterMs 30 000',
      );
      capped.policy.dispose();

      const ignoring = makePolicy(context, { maxRetryAfterMs: 0 });
      const second = script(context, [throttled('2')]);
      const start = clock.now();
      watch(context, ignoring.policy.execute(second.fn));
      await clock.advance(5_000);
      expect.equal(
        second.startedAt.map((t) => t - start),
        [0, 100],
        'when the attempts started, in ms, after a 429 with Retry-After: 2 when maxRetryAfterMs is 0 (the header is ignored)',
      );
      ignoring.policy.dispose();
    },
  },
  {
    task: 2,
    name: 'gives up as soon as the next wait would end past the deadline',
    async run(context) {
      const { clock, expect } = context;
      const { policy, giveUps } = makePolicy(context, {
        maxAttempts: 10,
        deadlineMs: 1_000,
        backoff: exact({ strategy: 'constant', baseMs: 400 }),
      });
      const { fn, startedAt } = script(context, Array.from({ length: 10 }, unavailable));
      const result = watch(context, policy.execute(fn));
      await clock.advance(10_000);
      expect.equal(startedAt, [0, 400, 800], 'when the attempts started, in ms (waits of 400 ms, a 1 000 ms deadline)');
      expect.equal(
        result.settledAt,
        800,
        'when execute() gave up, in ms: right after the attempt at 800 ms, since a 400 ms wait would end at 1 200 ms, past the deadline',
      );
      expect.ok(
        result.error instanceof DeadlineExceededError,
        `execute() should reject with DeadlineExceededError, got ${describe(result.error)}`,
      );
      const error = result.error as DeadlineExceededError;
      expect.ok(error.lastError instanceof HttpStatusError, `its lastError should be the last 503, got ${describe(error.lastError)}`);
      expect.equal(
        giveUps.map(({ reason, attempts }) => ({ reason, attempts })),
        [{ reason: 'deadline', attempts: 3 }],
        'what onGiveUp reported',
      );
      policy.dispose();
    },
  },
  {
    task: 2,
    name: 'a deadline passed to execute() overrides the policy’s',
    async run(context) {
      const { clock, expect } = context;
      const { policy } = makePolicy(context, { maxAttempts: 10, backoff: exact({ strategy: 'constant', baseMs: 400 }) });
      const { fn, startedAt } = script(context, Array.from({ length: 10 }, unavailable));
      const result = watch(context, policy.execute(fn, { deadlineMs: 1_000 }));
      await clock.advance(10_000);
      expect.equal(startedAt, [0, 400, 800], 'when the attempts started, in ms, with execute(fn, { deadlineMs: 1000 })');
      expect.ok(
        result.error instanceof DeadlineExceededError,
        `execute() should reject with DeadlineExceededError, got ${describe(result.error)}`,
      );
      policy.dispose();
    },
  },
  {
    task: 2,
    name: 'attempts that run out before the deadline still end with the last error',
    async run(context) {
      const { clock, expect } = context;
      const { policy, giveUps } = makePolicy(context, { maxAttempts: 3, deadlineMs: 10_000 });
      const last = unavailable();
      const { fn } = script(context, [unavailable(), unavailable(), last]);
      const result = watch(context, policy.execute(fn));
      await clock.advance(10_000);
      expect.ok(result.error === last, `execute() should reject with the third attempt's 503, got ${describe(result.error)}`);
      expect.equal(giveUps.map(({ reason }) => reason), ['attempts'], 'the give-up reason');
      policy.dispose();
    },
  },
  {
    task: 3,
    name: 'an attempt still running at the deadline is aborted, and execute() rejects then',
    async run(context) {
      const { clock, expect } = context;
      const { policy, giveUps } = makePolicy(context, { deadlineMs: 1_000 });
      let abortedAt: number | undefined;
      // Inventory never answers: the attempt waits until its signal aborts.
      const hangs = (_attempt: number, signal: AbortSignal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => {
            abortedAt = clock.now();
            reject(signal.reason);
          }),
        );
      const result = watch(context, policy.execute(hangs));
      await clock.advance(5_000);
      if (result.settledAt === undefined) {
        policy.dispose(); // let it go
        expect.fail(
          'execute() had still not settled 4 s after its 1 000 ms deadline, with the first attempt hanging: ' +
            'it should reject with DeadlineExceededError at 1 000 ms',
        );
      }
      expect.equal(result.settledAt, 1_000, 'when execute() rejected, in ms (deadline 1 000 ms)');
      expect.ok(
        result.error instanceof DeadlineExceededError,
        `execute() should reject with DeadlineExceededError, got ${describe(result.error)}`,
      );
      expect.equal(abortedAt, 1_000, "when the hanging attempt's signal aborted, in ms");
      expect.equal(giveUps.map(({ reason }) => reason), ['deadline'], 'the give-up reason');
      policy.dispose();
    },
  },
  {
    task: 3,
    name: "the caller's abort still ends everything at once",
    async run(context) {
      const { clock, expect } = context;
      const { policy, giveUps } = makePolicy(context, { deadlineMs: 10_000, backoff: exact({ strategy: 'constant', baseMs: 5_000 }) });
      const caller = new AbortController();
      const { fn } = script(context, [unavailable(), unavailable()]);
      const result = watch(context, policy.execute(fn, { signal: caller.signal }));
      await clock.advance(300);
      const reason = new Error('the shopper left');
      caller.abort(reason);
      await clock.advance(0);
      expect.equal(result.settledAt, 300, 'when execute() rejected, in ms (the caller aborted at 300 ms, during a 5 s wait)');
      expect.ok(result.error === reason, `execute() should reject with the caller's reason, got ${describe(result.error)}`);
      expect.equal(giveUps.map(({ reason }) => reason), ['aborted'], 'the give-up reason');
      policy.dispose();
    },
  },
]);
