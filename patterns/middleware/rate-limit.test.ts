import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { FixedWindow, SlidingWindow, TokenBucket, type RateLimitAlgorithm } from './algorithms.ts';
import { makeRequest, makeResponse, type Request } from './pipeline.ts';
import { clientKeyOf, rateLimit, RateLimiter, type DecisionEvent, type EvictEvent, type RateLimiterOptions } from './rate-limit.ts';

let clock: VirtualClock;
let limiters: RateLimiter[];
beforeEach(() => {
  clock = new VirtualClock();
  limiters = [];
});
afterEach(() => {
  for (const limiter of limiters) limiter.dispose();
});

const makeLimiter = (algorithm: RateLimitAlgorithm, options: Partial<RateLimiterOptions> = {}) => {
  const limiter = new RateLimiter({ algorithm, clock, ...options });
  limiters.push(limiter);
  const decisions: DecisionEvent[] = [];
  const evictions: EvictEvent[] = [];
  limiter.onDecision((e) => decisions.push(e));
  limiter.onEvict((e) => evictions.push(e));
  return { limiter, decisions, evictions };
};

const fixed = (limit = 3, windowMs = 1_000) => new FixedWindow({ limit, windowMs });

describe('RateLimiter', () => {
  it('keeps one allowance per client', () => {
    const { limiter } = makeLimiter(fixed(2));
    expect(['a', 'a', 'a', 'b'].map((key) => limiter.check(key).allowed)).toEqual([true, true, false, true]);
    expect(limiter.size).toBe(2);
  });

  it('tells every decision, with the client key', () => {
    const { limiter, decisions } = makeLimiter(fixed(1));
    limiter.check('client-0');
    limiter.check('client-0');
    expect(decisions).toEqual([
      { key: 'client-0', allowed: true, limit: 1, remaining: 0, resetMs: 1_000, retryAfterMs: 0 },
      { key: 'client-0', allowed: false, limit: 1, remaining: 0, resetMs: 1_000, retryAfterMs: 1_000 },
    ]);
  });

  it.each([
    ['fixed window', fixed(5)],
    ['sliding window', new SlidingWindow({ limit: 5, windowMs: 1_000 })],
    ['token bucket', new TokenBucket({ limit: 5, windowMs: 1_000 })],
  ])('forgets expired clients on the sweep: memory drops back after a flood of keys (%s)', async (_name, algorithm) => {
    const { limiter, evictions } = makeLimiter(algorithm, { sweepIntervalMs: 5_050 });
    for (let i = 0; i < 1_000; i++) limiter.check(`client-${i}`);
    expect(limiter.size).toBe(1_000);
    // Two clients stay busy through the first sweep; the other 998 go quiet.
    while (clock.now() < 5_050) {
      limiter.check('client-1');
      limiter.check('client-2');
      await clock.advance(100);
    }
    expect(limiter.size).toBe(2);
    expect(evictions).toEqual([{ keys: expect.any(Array), reason: 'expired', size: 2 }]);
    expect(evictions[0]!.keys).toHaveLength(998);
    expect(evictions[0]!.keys).not.toContain('client-1');
    // Then they go quiet too, and the next sweep leaves nothing.
    await clock.advance(5_050);
    expect(limiter.size).toBe(0);
  });

  it('never remembers more than maxKeys clients, forgetting the one seen least recently', () => {
    const { limiter, evictions } = makeLimiter(fixed(2), { maxKeys: 3 });
    limiter.check('a');
    limiter.check('b');
    limiter.check('c');
    limiter.check('a'); // a is now the most recent: b goes first
    limiter.check('d');
    expect(limiter.size).toBe(3);
    expect(evictions).toEqual([{ keys: ['b'], reason: 'capacity', size: 2 }]);
    // A client that was forgotten comes back with a fresh allowance: the price of the cap.
    expect(limiter.check('b')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('starts an idle client afresh on its next request, before any sweep', async () => {
    const algorithm = new SlidingWindow({ limit: 2, windowMs: 1_000 });
    const { limiter } = makeLimiter(algorithm, { sweepIntervalMs: 60_000 });
    limiter.check('a');
    limiter.check('a');
    await clock.advance(3_000);
    expect(limiter.check('a')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('stops its sweep timer when disposed', () => {
    const { limiter } = makeLimiter(fixed());
    expect(clock.pending).toBe(1);
    limiter.dispose();
    expect(clock.pending).toBe(0);
  });

  it('names a bad option in a RangeError', () => {
    expect(() => new RateLimiter({ algorithm: fixed(), clock, maxKeys: 0 })).toThrow(/maxKeys .* got 0/);
    expect(() => new RateLimiter({ algorithm: fixed(), clock, sweepIntervalMs: Infinity })).toThrow(RangeError);
    expect(clock.pending).toBe(0);
  });
});

const get = (headers: Record<string, string> = {}): Request => makeRequest({ method: 'GET', path: '/products', headers, body: undefined });

/** Runs the middleware once; `reached` says whether it let the request through. */
const through = async (middleware: ReturnType<typeof rateLimit>, req: Request) => {
  const res = makeResponse();
  let reached = false;
  await middleware(req, res, async () => {
    reached = true;
    res.status = 200;
  });
  return { res, reached };
};

describe('rateLimit middleware', () => {
  it('lets a request under the limit through, with RateLimit headers', async () => {
    const { limiter } = makeLimiter(fixed(3));
    const { res, reached } = await through(rateLimit({ limiter }), get({ 'x-client-key': 'client-0' }));
    expect(reached).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'ratelimit-limit': '3', 'ratelimit-remaining': '2', 'ratelimit-reset': '1' });
  });

  it('answers 429 with Retry-After in whole seconds, rounded up, without calling next', async () => {
    const { limiter } = makeLimiter(fixed(1, 10_000));
    const middleware = rateLimit({ limiter });
    const req = get({ 'x-client-key': 'client-0' });
    await through(middleware, req);
    await clock.advance(2_500); // 7.5 s left in the window
    const { res, reached } = await through(middleware, req);
    expect(reached).toBe(false);
    expect(res.status).toBe(429);
    expect(res.headers).toMatchObject({ 'retry-after': '8', 'ratelimit-remaining': '0', 'ratelimit-reset': '8' });
    expect(res.body).toEqual({ error: 'Too Many Requests', retryAfterSeconds: 8 });
  });

  it('never says "retry after 0": less than a second to wait is 1', async () => {
    const { limiter } = makeLimiter(new TokenBucket({ limit: 100, windowMs: 1_000 }));
    const middleware = rateLimit({ limiter });
    for (let i = 0; i < 100; i++) await through(middleware, get());
    const { res } = await through(middleware, get()); // the next token is 10 ms away
    expect(res.headers['retry-after']).toBe('1');
  });

  it('counts requests without a usable client key against one shared anonymous key', () => {
    expect(clientKeyOf(get({ 'x-client-key': ' client-7 ' }))).toBe('client-7');
    expect(clientKeyOf(get())).toBe('anonymous');
    expect(clientKeyOf(get({ 'x-client-key': '' }))).toBe('anonymous');
    expect(clientKeyOf(get({ 'x-client-key': 'k'.repeat(500) }))).toBe('anonymous');
  });

  it('takes the key from keyOf when given', async () => {
    const { limiter, decisions } = makeLimiter(fixed());
    await through(rateLimit({ limiter, keyOf: (req) => req.headers['x-api-key'] ?? 'none' }), get({ 'x-api-key': 'k-1' }));
    expect(decisions[0]!.key).toBe('k-1');
  });
});
