import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import { FixedWindow, SlidingWindow, TokenBucket, type RateLimitAlgorithm } from '../../../patterns/middleware/algorithms.ts';
import { RateLimiter, type EvictEvent, type RateLimiterOptions } from '../../../patterns/middleware/rate-limit.ts';

const makeLimiter = (clock: VirtualClock, algorithm: RateLimitAlgorithm, options: Partial<RateLimiterOptions> = {}) => {
  const limiter = new RateLimiter({ algorithm, clock, ...options });
  const evictions: EvictEvent[] = [];
  limiter.onEvict((e) => evictions.push(e));
  return { limiter, evictions };
};

/** How an eviction reads in a message: "expired: 998 keys, 2 held". */
const showEviction = (e: EvictEvent) => `${e.reason}: ${e.keys.length} key${e.keys.length === 1 ? '' : 's'}, ${e.size} held`;

export default defineChecks([
  {
    task: 1,
    name: 'after a flood of 1 000 client keys, memory falls back to the busy few, then to none',
    async run({ clock, expect }) {
      const { limiter, evictions } = makeLimiter(clock, new SlidingWindow({ limit: 5, windowMs: 1_000 }), { sweepIntervalMs: 5_050 });
      for (let i = 0; i < 1_000; i++) limiter.check(`client-${i}`);
      expect.equal(limiter.size, 1_000, 'clients remembered right after 1 000 of them sent a request');
      // client-1 and client-2 stay busy through the first sweep; the other 998 go quiet.
      while (clock.now() < 5_050) {
        limiter.check('client-1');
        limiter.check('client-2');
        await clock.advance(100);
      }
      expect.equal(limiter.size, 2, 'clients remembered after the sweep at 5 050 ms (998 went quiet at 0 ms, 2 are still busy)');
      expect.equal(evictions.map(showEviction), ['expired: 998 keys, 2 held'], 'what onEvict reported for that sweep');
      expect.ok(
        !evictions[0]!.keys.includes('client-1') && !evictions[0]!.keys.includes('client-2'),
        'the sweep forgot client-1 or client-2, which were still busy',
      );
      await clock.advance(5_050);
      expect.equal(limiter.size, 0, 'clients remembered after the next sweep, once client-1 and client-2 went quiet too');
      limiter.dispose();
      expect.equal(clock.pending, 0, 'timers left on the clock after dispose()');
    },
  },
  {
    task: 1,
    name: 'sweeps every 10 s by default (DEFAULTS.sweepIntervalMs), whatever the algorithm',
    async run({ clock, expect }) {
      const algorithms = [
        new FixedWindow({ limit: 5, windowMs: 1_000 }),
        new SlidingWindow({ limit: 5, windowMs: 1_000 }),
        new TokenBucket({ limit: 5, windowMs: 1_000 }),
      ];
      const limiters = algorithms.map((algorithm) => makeLimiter(clock, algorithm).limiter);
      for (const limiter of limiters) for (let i = 0; i < 50; i++) limiter.check(`client-${i}`);
      await clock.advance(10_000);
      expect.equal(
        limiters.map((l) => `${l.algorithm.name}: ${l.size}`),
        ['fixed-window: 0', 'sliding-window: 0', 'token-bucket: 0'],
        'clients remembered 10 s after 50 clients sent one request each and went quiet',
      );
      for (const limiter of limiters) limiter.dispose();
    },
  },
  {
    task: 1,
    name: 'a sweep forgets only expired clients: a client over its limit stays refused',
    async run({ clock, expect }) {
      const { limiter } = makeLimiter(clock, new SlidingWindow({ limit: 3, windowMs: 60_000 }), { sweepIntervalMs: 10_000 });
      for (let i = 0; i < 3; i++) limiter.check('client-0');
      await clock.advance(10_001); // a sweep ran at 10 000 ms; the window lasts until 60 000 ms
      expect.equal(limiter.check('client-0').allowed, false, 'whether client-0 (3 of 3 used, window until 60 000 ms) is allowed at 10 001 ms, after a sweep');
      expect.equal(limiter.size, 1, 'clients remembered after the sweep');
      limiter.dispose();
    },
  },
  {
    task: 2,
    name: 'never remembers more than maxKeys clients',
    async run({ clock, expect }) {
      const { limiter, evictions } = makeLimiter(clock, new FixedWindow({ limit: 5, windowMs: 60_000 }), { maxKeys: 100 });
      let most = 0;
      for (let i = 0; i < 1_000; i++) {
        limiter.check(`made-up-${i}`);
        most = Math.max(most, limiter.size);
      }
      expect.equal(most, 100, 'the most clients remembered at once while 1 000 made-up keys each sent a request (maxKeys 100)');
      expect.equal(
        evictions.filter((e) => e.reason === 'capacity').reduce((n, e) => n + e.keys.length, 0),
        900,
        "clients forgotten with reason 'capacity'",
      );
      limiter.dispose();
    },
  },
  {
    task: 2,
    name: 'at the cap, the client seen least recently is forgotten first',
    async run({ clock, expect }) {
      const { limiter, evictions } = makeLimiter(clock, new FixedWindow({ limit: 2, windowMs: 60_000 }), { maxKeys: 3 });
      limiter.check('a');
      limiter.check('b');
      limiter.check('c');
      limiter.check('a'); // a has now used 2 of 2, and was seen after b and c
      limiter.check('d');
      expect.equal(limiter.size, 3, 'clients remembered with maxKeys 3 after a, b, c, a, d');
      expect.equal(
        evictions.map((e) => `${e.reason}: ${e.keys.join(', ')}`),
        ['capacity: b'],
        'who was forgotten to make room for d (a was seen again after b)',
      );
      expect.equal(limiter.check('a').allowed, false, 'whether a, which used 2 of 2 in this window, is allowed (it must not have been forgotten)');
      limiter.dispose();
    },
  },
  {
    task: 2,
    name: 'a maxKeys below 1 is refused with a RangeError',
    async run({ clock, expect }) {
      await expect.rejects(
        () => new RateLimiter({ algorithm: new FixedWindow({ limit: 5, windowMs: 1_000 }), clock, maxKeys: 0 }),
        'new RateLimiter({ maxKeys: 0 })',
        (error) => error instanceof RangeError,
      );
    },
  },
]);
