import { defineChecks, type Random } from '../../../patterns/kit/index.ts';
import { SlidingWindow, type RateLimitAlgorithm, type RateLimitDecision } from '../../../patterns/middleware/algorithms.ts';
import { RateLimiter } from '../../../patterns/middleware/rate-limit.ts';

const repeat = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);

/** One client's requests at the given times (ms), through one state, as the limiter would send them. */
const run = <S>(algorithm: RateLimitAlgorithm<S>, times: readonly number[]) => {
  const state = algorithm.create(times[0] ?? 0);
  const decisions = times.map((t) => ({ t, ...algorithm.consume(state, t) }));
  return { state, decisions };
};

const allowedTimes = <S>(algorithm: RateLimitAlgorithm<S>, times: readonly number[]) =>
  run(algorithm, times)
    .decisions.filter((d) => d.allowed)
    .map((d) => d.t);

/**
 * The most allowed requests inside one window: any `windowMs` span, wherever it
 * starts. Two requests share a window when they are less than `windowMs` apart.
 */
const busiestWindow = (allowed: readonly number[], windowMs: number) => {
  let most = { count: 0, from: 0, to: 0 };
  let first = 0;
  for (let last = 0; last < allowed.length; last++) {
    while (allowed[last]! - allowed[first]! >= windowMs) first++;
    if (last - first + 1 > most.count) most = { count: last - first + 1, from: allowed[first]!, to: allowed[last]! };
  }
  return most;
};

/** A greedy, bursty client: random gaps, often several requests at the same ms, now and then a pause. */
const burstyTraffic = (random: Random, untilMs: number): number[] => {
  const times: number[] = [];
  for (let t = 0; t < untilMs; t += random.next() < 0.02 ? 700 : Math.floor(random.next() * 40)) times.push(t);
  return times;
};

const decisionFields = ({ allowed, limit, remaining, resetMs, retryAfterMs }: RateLimitDecision) => ({
  allowed,
  limit,
  remaining,
  resetMs,
  retryAfterMs,
});

export default defineChecks([
  {
    task: 1,
    name: "the boundary burst is refused: no more than the limit around the end of a client's window",
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 10, windowMs: 1_000 });
      // One request opens the client's window; then 9 more just before it ends, and 10 as it ends.
      const allowed = allowedTimes(algorithm, [0, ...repeat(9, 990), ...repeat(10, 1_000)]);
      const busiest = busiestWindow(allowed, 1_000);
      expect.atMost(
        busiest.count,
        10,
        `requests allowed within one window (limit 10 per 1 000 ms; 1 sent at 0 ms, 9 at 990 ms, 10 at 1 000 ms; the busiest window held those from ${busiest.from} to ${busiest.to} ms)`,
      );
    },
  },
  {
    task: 1,
    name: "no burst across the clock's boundaries either",
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 10, windowMs: 1_000 });
      // The lab's burst client: quiet, then a full limit 100 ms before a boundary and another 1 ms after it.
      const allowed = allowedTimes(algorithm, [...repeat(10, 4_900), ...repeat(10, 5_001)]);
      expect.equal(allowed.length, 10, 'requests allowed of 10 sent at 4 900 ms and 10 at 5 001 ms (limit 10 per 1 000 ms)');
    },
  },
  {
    task: 1,
    name: 'bursty traffic over a minute never gets more than the limit into any window',
    run({ expect, random }) {
      const algorithm = new SlidingWindow({ limit: 10, windowMs: 1_000 });
      const times = burstyTraffic(random, 60_000);
      const allowed = allowedTimes(algorithm, times);
      const busiest = busiestWindow(allowed, 1_000);
      expect.atMost(
        busiest.count,
        10,
        `requests allowed within one window over a minute of bursty traffic (${times.length} sent; the busiest window held those from ${busiest.from} to ${busiest.to} ms)`,
      );
      // Safe by refusing everyone is not the point: over a minute, most windows should fill up.
      expect.atLeast(
        allowed.length,
        400,
        `requests allowed over that minute (limit 10 per second, ${times.length} sent; an exact sliding log allows about 500: is it refusing more than it should?)`,
      );
    },
  },
  {
    task: 1,
    name: 'a client that keeps exactly to the limit is never refused',
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 10, windowMs: 1_000 });
      const times = Array.from({ length: 100 }, (_, i) => i * 100); // one every 100 ms for 10 s
      const refused = run(algorithm, times)
        .decisions.filter((d) => !d.allowed)
        .map((d) => d.t);
      expect.equal(
        refused,
        [],
        'times (ms) refused for a client sending one request every 100 ms (limit 10 per 1 000 ms; a request sent 1 000 ms ago no longer counts)',
      );
    },
  },
  {
    task: 2,
    name: 'a client hammering while refused gets in as soon as its oldest request leaves the window',
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 3, windowMs: 1_000 });
      const hammering = Array.from({ length: 98 }, (_, i) => 210 + i * 10); // every 10 ms from 210 to 1 180 ms
      const allowed = allowedTimes(algorithm, [0, 100, 200, ...hammering]);
      expect.equal(
        allowed,
        [0, 100, 200, 1_000, 1_100],
        'times (ms) allowed: 3 at 0, 100 and 200 ms (limit 3 per 1 000 ms), then one request every 10 ms until 1 180 ms',
      );
    },
  },
  {
    task: 2,
    name: 'the state stays as small as the limit, however hard a client hammers',
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 5, windowMs: 1_000 });
      const { state } = run(algorithm, Array.from({ length: 10_000 }, (_, i) => i)); // one request every ms for 10 s
      const size = JSON.stringify(state).length;
      expect.atMost(
        size,
        200,
        `characters in JSON.stringify(state) after 10 000 requests, one per ms, with limit 5 (5 timestamps of 4 digits take about 30; what else is it keeping?)`,
      );
    },
  },
  {
    task: 3,
    name: 'a refused request is told to retry when its oldest counted request leaves the window',
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 3, windowMs: 1_000 });
      const { state, decisions } = run(algorithm, [0, 100, 200, 300]);
      expect.equal(
        decisionFields(decisions[3]!),
        { allowed: false, limit: 3, remaining: 0, resetMs: 900, retryAfterMs: 700 },
        'the decision for a 4th request at 300 ms (3 allowed at 0, 100 and 200 ms; limit 3 per 1 000 ms)',
      );
      expect.equal(algorithm.consume(state, 1_000).allowed, true, 'whether the client is let in when it retries after those 700 ms, at 1 000 ms');
    },
  },
  {
    task: 3,
    name: 'an allowed request says how many remain, and that the whole limit is back one window after it',
    run({ expect }) {
      const algorithm = new SlidingWindow({ limit: 3, windowMs: 1_000 });
      const { decisions } = run(algorithm, [0, 400, 1_000]);
      expect.equal(
        decisions.map((d) => ({ t: d.t, remaining: d.remaining, resetMs: d.resetMs, retryAfterMs: d.retryAfterMs })),
        [
          { t: 0, remaining: 2, resetMs: 1_000, retryAfterMs: 0 },
          { t: 400, remaining: 1, resetMs: 1_000, retryAfterMs: 0 },
          { t: 1_000, remaining: 1, resetMs: 1_000, retryAfterMs: 0 },
        ],
        'remaining, resetMs and retryAfterMs for requests at 0, 400 and 1 000 ms (limit 3 per 1 000 ms; at 1 000 ms the one at 0 has left)',
      );
    },
  },
  {
    task: 3,
    name: 'idleAt is when the newest counted request leaves the window, so the limiter never forgets a client too early',
    async run({ clock, expect }) {
      const algorithm = new SlidingWindow({ limit: 3, windowMs: 1_000 });
      const { state } = run(algorithm, [0, 400, 800]);
      expect.equal(algorithm.idleAt(state), 1_800, 'idleAt after requests at 0, 400 and 800 ms (limit 3 per 1 000 ms)');

      // Through the limiter, which forgets a client once idleAt has passed: a sweep every 500 ms.
      const limiter = new RateLimiter({ algorithm: new SlidingWindow({ limit: 3, windowMs: 1_000 }), clock, sweepIntervalMs: 500 });
      for (const at of [0, 400, 800]) {
        await clock.advance(at - clock.now());
        limiter.check('client-0');
      }
      await clock.advance(1_001 - clock.now()); // sweeps ran at 500 and 1 000 ms
      const later = [limiter.check('client-0'), limiter.check('client-0'), limiter.check('client-0')].map((d) => d.allowed);
      expect.equal(
        later,
        [true, false, false],
        'three requests at 1 001 ms, through a RateLimiter sweeping every 500 ms (the ones at 400 and 800 ms still count: one slot is free)',
      );
      limiter.dispose();
    },
  },
]);
