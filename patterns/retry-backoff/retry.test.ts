import { beforeEach, describe, expect, it } from 'vitest';
import { DownstreamError, SeededRandom, VirtualClock, type HttpClient, type HttpResponse } from '../kit/index.ts';
import { Backoff } from './backoff.ts';
import { DeadlineExceededError, ensureOk, HttpStatusError } from './errors.ts';
import { RetryPolicy, type GiveUpEvent, type RetryEvent, type RetryOptions, type SuccessEvent } from './retry.ts';

let clock: VirtualClock;
beforeEach(() => {
  clock = new VirtualClock();
});

/** Exponential 100, 200, 400, … without jitter, so every wait is known exactly. */
const exact = new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 1_000, jitter: 'none' });

const makePolicy = (overrides: RetryOptions = {}) => {
  const policy = new RetryPolicy({ clock, random: new SeededRandom(1), backoff: exact, maxAttempts: 4, ...overrides });
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  const successes: SuccessEvent[] = [];
  policy.onRetry((e) => retries.push(e));
  policy.onGiveUp((e) => giveUps.push(e));
  policy.onSuccess((e) => successes.push(e));
  return { policy, retries, giveUps, successes };
};

/** An operation that fails with `errors` in turn, then succeeds; it records when each attempt started. */
const script = (...errors: unknown[]) => {
  const startedAt: number[] = [];
  const fn = async (attempt: number) => {
    startedAt.push(clock.now());
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return `ok after ${attempt}`;
  };
  return { fn, startedAt };
};

/** Runs the execution to the end on virtual time; resolves to its value or the error it rejected with. */
const settle = async <T>(promise: Promise<T>): Promise<T | unknown> => {
  const outcome = promise.then(
    (value) => value,
    (error: unknown) => error,
  );
  await clock.runUntilIdle();
  return outcome;
};

const unavailable = () => new HttpStatusError(503, {}, 'inventory');

describe('RetryPolicy: retries', () => {
  it('returns the first success without retrying, and says so once', async () => {
    const { policy, retries, successes, giveUps } = makePolicy();
    expect(await policy.execute(async () => 'stock: 7')).toBe('stock: 7');
    expect(retries).toEqual([]);
    expect(giveUps).toEqual([]);
    expect(successes).toEqual([{ attempts: 1, durationMs: 0 }]);
  });

  it('retries a transient failure after the backoff delays, firing onRetry once per retry', async () => {
    const { policy, retries, successes } = makePolicy();
    const { fn, startedAt } = script(unavailable(), unavailable(), unavailable());
    expect(await settle(policy.execute(fn))).toBe('ok after 4');
    expect(startedAt).toEqual([0, 100, 300, 700]);
    expect(retries.map(({ attempt, delayMs }) => ({ attempt, delayMs }))).toEqual([
      { attempt: 1, delayMs: 100 },
      { attempt: 2, delayMs: 200 },
      { attempt: 3, delayMs: 400 },
    ]);
    expect(retries.every((r) => r.error instanceof HttpStatusError)).toBe(true);
    expect(successes).toEqual([{ attempts: 4, durationMs: 700 }]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { policy, retries, giveUps } = makePolicy({ maxAttempts: 3 });
    const last = new DownstreamError('ECONNRESET', 'inventory');
    const { fn, startedAt } = script(unavailable(), unavailable(), last, unavailable());
    expect(await settle(policy.execute(fn))).toBe(last);
    expect(startedAt).toHaveLength(3);
    expect(retries).toHaveLength(2);
    expect(giveUps).toEqual([{ attempts: 3, error: last, reason: 'attempts' }]);
    expect(clock.pending).toBe(0);
  });

  it('waits with jitter inside the bounds, reproducibly for a given seed', async () => {
    const run = async (seed: number) => {
      const { policy, retries } = makePolicy({
        random: new SeededRandom(seed),
        backoff: new Backoff({ baseMs: 100, capMs: 1_000, jitter: 'full' }),
        maxAttempts: 5,
      });
      await settle(policy.execute(script(unavailable(), unavailable(), unavailable(), unavailable()).fn));
      return retries.map((r) => r.delayMs);
    };
    const delays = await run(11);
    expect(delays).toHaveLength(4);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(100 * 2 ** i);
    });
    expect(await run(11)).toEqual(delays);
    expect(await run(12)).not.toEqual(delays);
  });
});

describe('RetryPolicy: what is retried', () => {
  class ValidationError extends Error {}

  it.each([
    ['a 400', new HttpStatusError(400)],
    ['a 404', new HttpStatusError(404)],
    ['a 422', new HttpStatusError(422)],
    ['a 501', new HttpStatusError(501)],
    ['a validation error', new ValidationError('quantity must be > 0')],
    ['a bug in our own code', new TypeError("Cannot read properties of undefined (reading 'sku')")],
    ['a caller abort seen by the client', new DownstreamError('ABORTED', 'inventory')],
  ])('never retries %s: one attempt, then give up as not-retryable', async (_name, error) => {
    const { policy, retries, giveUps } = makePolicy();
    const { fn, startedAt } = script(error);
    expect(await settle(policy.execute(fn))).toBe(error);
    expect(startedAt).toEqual([0]);
    expect(retries).toEqual([]);
    expect(giveUps).toEqual([{ attempts: 1, error, reason: 'not-retryable' }]);
  });

  it.each([
    ['408', new HttpStatusError(408)],
    ['429', new HttpStatusError(429)],
    ['500', new HttpStatusError(500)],
    ['502', new HttpStatusError(502)],
    ['503', new HttpStatusError(503)],
    ['504', new HttpStatusError(504)],
    ['a reset connection', new DownstreamError('ECONNRESET', 'inventory')],
    ['a refused connection', new DownstreamError('ECONNREFUSED', 'inventory')],
    ['an attempt timeout', new DownstreamError('ETIMEDOUT', 'inventory')],
    ['a TimeoutError', new DOMException('The operation timed out', 'TimeoutError')],
  ])('retries %s', async (_name, error) => {
    const { policy, retries } = makePolicy();
    expect(await settle(policy.execute(script(error).fn))).toBe('ok after 2');
    expect(retries).toHaveLength(1);
  });

  it('takes a predicate of your own', async () => {
    const { policy } = makePolicy({ isRetryable: (error) => error instanceof HttpStatusError && error.status === 409 });
    expect(await settle(policy.execute(script(new HttpStatusError(409)).fn))).toBe('ok after 2');
  });

  it('works with an HttpClient: ensureOk turns a bad status into a retryable error', async () => {
    const answers = [503, 502, 200];
    const client: HttpClient = {
      request: async (): Promise<HttpResponse> => ({ status: answers.shift()!, headers: {}, body: { available: 7 } }),
    };
    const { policy, retries } = makePolicy();
    const response = policy.execute(async (_attempt, signal) => ensureOk(await client.request({ path: '/stock/1', signal }), 'inventory'));
    expect(await settle(response)).toMatchObject({ status: 200, body: { available: 7 } });
    expect(retries.map((r) => (r.error as Error).message)).toEqual(['inventory answered 503', 'inventory answered 502']);
  });
});

describe('RetryPolicy: Retry-After', () => {
  const tooMany = (retryAfter: string, headers: Record<string, string> = {}) =>
    new HttpStatusError(429, { 'Retry-After': retryAfter, ...headers });

  it('waits as long as a 429 asks, in seconds, instead of the shorter backoff', async () => {
    const { policy, retries } = makePolicy();
    const { fn, startedAt } = script(tooMany('2'));
    await settle(policy.execute(fn));
    expect(startedAt).toEqual([0, 2_000]);
    expect(retries[0]).toMatchObject({ delayMs: 2_000, retryAfterMs: 2_000 });
  });

  it('reads an HTTP date against the answer’s own Date header', async () => {
    const { policy, retries } = makePolicy();
    const error = new HttpStatusError(503, {
      'retry-after': 'Wed, 21 Oct 2026 07:28:03 GMT',
      date: 'Wed, 21 Oct 2026 07:28:00 GMT',
    });
    await settle(policy.execute(script(error).fn));
    expect(retries[0]).toMatchObject({ delayMs: 3_000, retryAfterMs: 3_000 });
  });

  it('reads an HTTP date against the clock when the answer has no Date', async () => {
    clock = new VirtualClock({ wallStart: Date.parse('Wed, 21 Oct 2026 07:28:00 GMT') });
    const { policy, retries } = makePolicy();
    await settle(policy.execute(script(tooMany('Wed, 21 Oct 2026 07:28:01 GMT')).fn));
    expect(retries[0]!.delayMs).toBe(1_000);
  });

  it('reads an HTTP date against wall time, not the monotonic clock', async () => {
    // Monotonic time counts from 0 (run time); wall time says it is 07:28:00.
    clock = new VirtualClock({ start: 0, wallStart: Date.parse('Wed, 21 Oct 2026 07:28:00 GMT') });
    await clock.advance(10_000); // and both move together: 07:28:10 now
    const { policy, retries } = makePolicy();
    await settle(policy.execute(script(tooMany('Wed, 21 Oct 2026 07:28:15 GMT')).fn));
    expect(retries[0]).toMatchObject({ delayMs: 5_000, retryAfterMs: 5_000 });
  });

  it('caps what it honours at maxRetryAfterMs', async () => {
    const { policy, retries } = makePolicy({ maxRetryAfterMs: 5_000 });
    await settle(policy.execute(script(tooMany('3600')).fn));
    expect(retries[0]).toMatchObject({ delayMs: 5_000, retryAfterMs: 5_000 });
  });

  it('keeps its own backoff when that is longer than the server asks', async () => {
    const { policy, retries } = makePolicy();
    await settle(policy.execute(script(unavailable(), unavailable(), unavailable(), tooMany('0')).fn));
    expect(retries.map((r) => r.delayMs)).toEqual([100, 200, 400]);
    const { policy: second, retries: more } = makePolicy();
    await settle(second.execute(script(unavailable(), unavailable(), tooMany('0')).fn));
    expect(more.at(-1)).toMatchObject({ delayMs: 400, retryAfterMs: 0 });
  });

  it('ignores Retry-After when maxRetryAfterMs is 0, on statuses other than 429/503, and when it is garbage', async () => {
    for (const [options, error] of [
      [{ maxRetryAfterMs: 0 }, tooMany('2')],
      [{}, new HttpStatusError(502, { 'retry-after': '2' })],
      [{}, tooMany('soon')],
    ] as const) {
      const { policy, retries } = makePolicy(options);
      await settle(policy.execute(script(error).fn));
      expect(retries[0]).toEqual({ attempt: 1, delayMs: 100, error });
    }
  });
});

describe('RetryPolicy: cancellation and deadline', () => {
  it('ends a wait the moment the caller aborts, and calls nothing more', async () => {
    const { policy, giveUps } = makePolicy();
    const controller = new AbortController();
    const { fn, startedAt } = script(unavailable(), unavailable());
    const outcome = policy.execute(fn, { signal: controller.signal }).catch((e: unknown) => e);
    await clock.advance(150); // attempt 1 at 0, attempt 2 at 100, now waiting 200 ms
    controller.abort(new Error('the user left'));
    const error = await outcome;
    expect(error).toEqual(new Error('the user left'));
    expect(clock.now()).toBe(150); // not a millisecond more
    expect(startedAt).toEqual([0, 100]);
    expect(giveUps).toEqual([{ attempts: 2, error, reason: 'aborted' }]);
    expect(clock.pending).toBe(0);
  });

  it('aborts an attempt in flight through its signal, even one that ignores it', async () => {
    const { policy, giveUps } = makePolicy();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = policy.execute((_attempt, signal) => {
      seen = signal;
      return new Promise<never>(() => {}); // hangs, and never looks at its signal
    }, { signal: controller.signal }).catch((e: unknown) => e);
    await clock.advance(10);
    controller.abort('gone');
    expect(await outcome).toBe('gone');
    expect(seen!.aborted).toBe(true);
    expect(giveUps).toEqual([{ attempts: 1, error: 'gone', reason: 'aborted' }]);
  });

  it('does not start at all with a signal that is already aborted', async () => {
    const { policy, giveUps } = makePolicy();
    const { fn, startedAt } = script();
    const error = await policy.execute(fn, { signal: AbortSignal.abort('too late') }).catch((e: unknown) => e);
    expect(error).toBe('too late');
    expect(startedAt).toEqual([]);
    expect(giveUps).toEqual([{ attempts: 0, error: 'too late', reason: 'aborted' }]);
  });

  it('gives up at once when the next wait would end past the deadline', async () => {
    const { policy, retries, giveUps } = makePolicy({ deadlineMs: 500, maxAttempts: 10 });
    const { fn, startedAt } = script(unavailable(), unavailable(), unavailable(), unavailable());
    const error = await settle(policy.execute(fn));
    // Attempts at 0, 100, 300; the next wait (400 ms) would end at 700 > 500.
    expect(startedAt).toEqual([0, 100, 300]);
    expect(clock.now()).toBe(300);
    expect(retries).toHaveLength(2);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ deadlineMs: 500, attempts: 3 });
    expect((error as DeadlineExceededError).lastError).toBeInstanceOf(HttpStatusError);
    expect(giveUps).toEqual([{ attempts: 3, error, reason: 'deadline' }]);
    expect(clock.pending).toBe(0);
  });

  it('aborts an attempt still running when the deadline passes', async () => {
    const { policy, giveUps } = makePolicy({ deadlineMs: 250 });
    let attempts = 0;
    const outcome = settle(
      policy.execute(async (attempt, signal) => {
        attempts = attempt;
        if (attempt === 1) throw unavailable();
        await clock.sleep(10_000, signal); // a slow second attempt
      }),
    );
    const error = await outcome;
    expect(clock.now()).toBe(250);
    expect(attempts).toBe(2);
    expect(error).toMatchObject({ name: 'DeadlineExceededError', attempts: 2 });
    expect(giveUps.map((g) => g.reason)).toEqual(['deadline']);
    expect(clock.pending).toBe(0);
  });

  it('takes a deadline per execution', async () => {
    const { policy } = makePolicy();
    const error = await settle(policy.execute(script(unavailable(), unavailable()).fn, { deadlineMs: 50 }));
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(clock.now()).toBe(0); // the first wait (100 ms) would already end past it
  });

  it('ends every execution in flight on dispose, leaving no timer', async () => {
    const { policy } = makePolicy();
    const outcomes = [1, 2, 3].map(() => policy.execute(script(unavailable(), unavailable()).fn).catch((e: unknown) => e));
    await clock.advance(50);
    policy.dispose();
    for (const error of await Promise.all(outcomes)) expect(error).toMatchObject({ name: 'AbortError' });
    expect(clock.pending).toBe(0);
    await expect(policy.execute(async () => 'late')).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('RetryPolicy: options', () => {
  it.each<[RetryOptions, RegExp]>([
    [{ maxAttempts: 0 }, /maxAttempts .* got 0/],
    [{ maxAttempts: 2.5 }, /maxAttempts .* got 2.5/],
    [{ maxRetryAfterMs: -1 }, /maxRetryAfterMs .* got -1/],
    [{ deadlineMs: 0 }, /deadlineMs .* got 0/],
  ])('throws a RangeError naming a bad value: %j', (options, message) => {
    expect(() => new RetryPolicy({ clock, ...options })).toThrow(RangeError);
    expect(() => new RetryPolicy({ clock, ...options })).toThrow(message);
  });

  it('runs with no options at all (real clock, default backoff)', async () => {
    expect(await new RetryPolicy().execute(() => 42)).toBe(42);
  });
});
