import { defineChecks, SeededRandom, type Random } from '../../../patterns/kit/index.ts';
import { Backoff, type BackoffOptions } from '../../../patterns/retry-backoff/backoff.ts';
import { HttpStatusError } from '../../../patterns/retry-backoff/errors.ts';
import { RetryPolicy } from '../../../patterns/retry-backoff/retry.ts';

/** `n` waits drawn from fresh executions, each taking the first `retries` delays. */
const draw = (options: BackoffOptions, random: Random, executions: number, retries = 1): number[][] => {
  const backoff = new Backoff(options);
  return Array.from({ length: executions }, () => {
    const delays = backoff.start(random);
    return Array.from({ length: retries }, () => delays.next());
  });
};

const stats = (values: number[]) => ({
  min: Math.min(...values),
  max: Math.max(...values),
  mean: values.reduce((sum, v) => sum + v, 0) / values.length,
});

const round = (n: number) => Math.round(n * 10) / 10;

export default defineChecks([
  {
    task: 1,
    name: 'no delay is longer than capMs, however many retries',
    async run({ expect }) {
      const backoff = new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 2_000, jitter: 'none' });
      expect.equal(
        [1, 2, 3, 4, 5, 6, 7].map((retry) => backoff.delay(retry)),
        [100, 200, 400, 800, 1_600, 2_000, 2_000],
        'the delays before retries 1 to 7 (exponential from 100 ms, capped at 2 000 ms)',
      );
      // 100 × 2 ** 1999 does not fit in a number: it is Infinity before the cap.
      expect.equal(backoff.delay(2_000), 2_000, 'the delay before retry 2 000');
      const linear = new Backoff({ strategy: 'linear', baseMs: 500, capMs: 1_200, jitter: 'none' });
      expect.equal(linear.delay(5), 1_200, 'the delay before retry 5 (linear from 500 ms, capped at 1 200 ms)');
    },
  },
  {
    task: 1,
    name: 'a client with 20 attempts never waits longer than the cap',
    async run({ clock, random, expect }) {
      const policy = new RetryPolicy({
        clock,
        random,
        maxAttempts: 20,
        backoff: new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 2_000, jitter: 'none' }),
      });
      const waits: number[] = [];
      policy.onRetry(({ delayMs }) => waits.push(delayMs));
      let attempts = 0;
      const done = policy
        .execute(() => {
          attempts++;
          throw new HttpStatusError(503, {}, 'inventory');
        })
        .catch(() => 'gave up');
      // 19 waits of at most 2 s each fit in 38 s.
      await clock.advance(19 * 2_000);
      policy.dispose();
      await done;
      expect.atMost(Math.max(...waits), 2_000, 'the longest wait between attempts, ms');
      expect.equal(attempts, 20, 'attempts made within 38 s (19 waits of at most 2 s)');
    },
  },
  {
    task: 2,
    name: 'full jitter spreads each wait over the whole range from 0 to the delay',
    async run({ random, expect }) {
      const waits = draw({ strategy: 'constant', baseMs: 1_000, capMs: 1_000, jitter: 'full' }, random, 1_000).flat();
      const { min, max, mean } = stats(waits);
      expect.ok(
        waits.every((w) => w >= 0 && w <= 1_000),
        `every full-jitter wait should lie between 0 and the delay (1 000 ms); got some from ${round(min)} to ${round(max)}`,
      );
      expect.atMost(min, 100, 'the shortest of 1 000 full-jitter waits for a 1 000 ms delay, ms');
      expect.atLeast(max, 900, 'the longest of 1 000 full-jitter waits for a 1 000 ms delay, ms');
      expect.between(round(mean), 400, 600, 'the average of 1 000 full-jitter waits for a 1 000 ms delay, ms');
    },
  },
  {
    task: 2,
    name: 'ten clients that failed together retry at ten different moments',
    async run({ clock, expect }) {
      const backoff = new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 2_000, jitter: 'full' });
      const firstWaits: number[] = [];
      const clients = Array.from({ length: 10 }, (_, i) => {
        const policy = new RetryPolicy({ clock, random: new SeededRandom(100 + i), backoff, maxAttempts: 2 });
        policy.onRetry(({ delayMs }) => firstWaits.push(delayMs));
        return policy.execute((attempt) => {
          if (attempt === 1) throw new HttpStatusError(503, {}, 'orders');
          return 'ordered';
        });
      });
      await clock.advance(100);
      await Promise.all(clients);
      expect.equal(new Set(firstWaits).size, 10, 'different first waits among 10 clients that failed at the same moment');
      const { min, max } = stats(firstWaits);
      expect.atLeast(round(max - min), 30, 'the spread between the earliest and the latest retry of the 10 clients, ms');
    },
  },
  {
    task: 2,
    name: "jitter 'none' keeps the exact delays, and jitter comes only from the injected random",
    async run({ expect }) {
      const exact = draw({ strategy: 'exponential', baseMs: 100, capMs: 10_000, jitter: 'none' }, new SeededRandom(1), 1, 4)[0];
      expect.equal(exact, [100, 200, 400, 800], "the first 4 delays with jitter 'none'");
      const options: BackoffOptions = { strategy: 'exponential', baseMs: 100, capMs: 10_000, jitter: 'full' };
      const once = draw(options, new SeededRandom(7), 3, 4);
      const again = draw(options, new SeededRandom(7), 3, 4);
      expect.ok(
        JSON.stringify(again) === JSON.stringify(once),
        'two runs seeded alike should draw the same full-jitter waits, but they differ ' +
          `(first waits ${once.map((w) => round(w[0]!)).join(', ')} ms, then ${again.map((w) => round(w[0]!)).join(', ')} ms): ` +
          'draw from the random handed to start(), not Math.random()',
      );
    },
  },
  {
    task: 3,
    name: 'equal jitter keeps half of the delay and spreads the other half',
    async run({ random, expect }) {
      const waits = draw({ strategy: 'constant', baseMs: 1_000, capMs: 1_000, jitter: 'equal' }, random, 1_000).flat();
      const { min, max, mean } = stats(waits);
      expect.atLeast(round(min), 500, 'the shortest of 1 000 equal-jitter waits for a 1 000 ms delay, ms');
      expect.atMost(round(max), 1_000, 'the longest of 1 000 equal-jitter waits for a 1 000 ms delay, ms');
      expect.atMost(round(min), 550, 'the shortest of 1 000 equal-jitter waits (they should reach down near half the delay), ms');
      expect.between(round(mean), 700, 800, 'the average of 1 000 equal-jitter waits for a 1 000 ms delay, ms');
    },
  },
  {
    task: 3,
    name: 'decorrelated jitter grows from the previous wait, between base and three times it, never past the cap',
    async run({ random, expect }) {
      const base = 100;
      const cap = 5_000;
      const runs = draw({ strategy: 'exponential', baseMs: base, capMs: cap, jitter: 'decorrelated' }, random, 300, 8);
      for (const waits of runs) {
        let previous = base;
        for (const [i, wait] of waits.entries()) {
          if (!(wait >= base && wait <= Math.min(cap, previous * 3))) {
            expect.fail(
              `decorrelated wait before retry ${i + 1} should lie between ${base} ms and min(cap ${cap}, 3 × the previous wait ${round(previous)}) ms, ` +
                `got ${round(wait)} ms (waits so far: ${waits.slice(0, i + 1).map(round).join(', ')})`,
            );
          }
          previous = wait;
        }
      }
      const first = stats(runs.map((waits) => waits[0]!));
      expect.atMost(round(first.min), 120, 'the shortest first wait of 300 executions (they range from base to 3 × base), ms');
      expect.atLeast(round(first.max), 280, 'the longest first wait of 300 executions (they range from base to 3 × base), ms');
      const eighth = stats(runs.map((waits) => waits[7]!));
      expect.atLeast(round(eighth.max), 2_000, 'the longest 8th wait of 300 executions (waits grow up to 3× each time), ms');
    },
  },
  {
    task: 3,
    name: 'each execution starts decorrelated jitter from base again',
    async run({ random, expect }) {
      const backoff = new Backoff({ strategy: 'exponential', baseMs: 100, capMs: 10_000, jitter: 'decorrelated' });
      const busy = backoff.start(random);
      for (let i = 0; i < 10; i++) busy.next();
      const firsts = Array.from({ length: 20 }, () => backoff.start(random).next());
      expect.atMost(
        round(Math.max(...firsts)),
        300,
        'the longest first wait of 20 new executions, after another execution had already retried 10 times (a first wait is at most 3 × base), ms',
      );
    },
  },
]);
