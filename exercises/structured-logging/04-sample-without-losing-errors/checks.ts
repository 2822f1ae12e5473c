import { defineChecks, type SeededRandom, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { Level } from '../../../patterns/structured-logging/logger.ts';
import { BudgetSampler, type BudgetSamplerOptions } from '../../../patterns/structured-logging/sampling.ts';

const make = (clock: VirtualClock, random: SeededRandom, options: Partial<BudgetSamplerOptions> = {}) =>
  new BudgetSampler({ clock, random, perSecond: 100, thereafter: 0.01, ...options });

/** How many of `n` lines at `level` the sampler keeps, asked one after the other at the same instant. */
const kept = (sampler: BudgetSampler, level: Level, n: number) => {
  let count = 0;
  for (let i = 0; i < n; i++) if (sampler.keep(level)) count++;
  return count;
};

export default defineChecks([
  {
    task: 1,
    name: 'a quiet second keeps every debug line',
    run({ clock, random, expect }) {
      const sampler = make(clock, random);
      expect.equal(kept(sampler, 'debug', 100), 100, 'debug lines kept of 100 in one second, with a budget of 100');
    },
  },
  {
    task: 1,
    name: 'a flood of 10,000 debug lines in a second keeps its budget and about one in a hundred of the rest',
    run({ clock, random, expect }) {
      const sampler = make(clock, random);
      expect.between(kept(sampler, 'debug', 10_000), 150, 250, 'debug lines kept of 10,000 in one second (budget 100, then 1 in 100)');
    },
  },
  {
    task: 1,
    name: 'each second starts a new budget',
    async run({ clock, random, expect }) {
      const sampler = make(clock, random, { thereafter: 0 });
      expect.equal(kept(sampler, 'debug', 1_000), 100, 'debug lines kept of 1,000 in the first second');
      await clock.advance(1_000);
      expect.equal(kept(sampler, 'debug', 1_000), 100, 'debug lines kept of 1,000 in the next second');
      await clock.advance(5_500);
      expect.equal(kept(sampler, 'debug', 50), 50, 'debug lines kept of 50, after five quiet seconds');
    },
  },
  {
    task: 2,
    name: 'every error is kept during a debug flood',
    run({ clock, random, expect }) {
      const sampler = make(clock, random);
      kept(sampler, 'debug', 5_000);
      expect.equal(kept(sampler, 'error', 300), 300, 'error lines kept of 300, in the second of a 5,000-line debug flood');
    },
  },
  {
    task: 2,
    name: 'warn and info lines are never sampled when only debug is',
    run({ clock, random, expect }) {
      const sampler = make(clock, random);
      kept(sampler, 'debug', 5_000);
      expect.equal(
        { warn: kept(sampler, 'warn', 500), info: kept(sampler, 'info', 500) },
        { warn: 500, info: 500 },
        'lines kept of 500 at each level, in the second of a debug flood',
      );
    },
  },
  {
    task: 2,
    name: 'a flood of errors is written in full: it is not a sampled level',
    run({ clock, random, expect }) {
      const sampler = make(clock, random);
      expect.equal(kept(sampler, 'error', 2_000), 2_000, 'error lines kept of 2,000 in one second');
    },
  },
  {
    task: 2,
    name: 'a sampler asked to sample warnings or errors refuses, with a RangeError',
    run({ clock, random, expect }) {
      for (const levels of [['debug', 'error'], ['warn']] as Level[][]) {
        let thrown: unknown;
        try {
          make(clock, random, { levels });
        } catch (error) {
          thrown = error;
        }
        expect.ok(thrown instanceof RangeError, `new BudgetSampler({ levels: ${JSON.stringify(levels)} }) should throw a RangeError, ${thrown === undefined ? 'and made a sampler' : `threw ${String(thrown)}`}`);
      }
    },
  },
  {
    task: 3,
    name: "a flood of info lines leaves the debug budget alone when both are sampled",
    run({ clock, random, expect }) {
      const sampler = make(clock, random, { levels: ['debug', 'info'], perSecond: 10, thereafter: 0 });
      expect.equal(
        { info: kept(sampler, 'info', 1_000), debug: kept(sampler, 'debug', 1_000), error: kept(sampler, 'error', 20) },
        { info: 10, debug: 10, error: 20 },
        'lines kept of a flood of each level in one second (info and debug sampled, 10 each)',
      );
    },
  },
  {
    task: 3,
    name: 'each sampled level counts its seconds for itself',
    async run({ clock, random, expect }) {
      const sampler = make(clock, random, { levels: ['debug', 'info'], perSecond: 10, thereafter: 0 });
      kept(sampler, 'debug', 100);
      await clock.advance(400);
      kept(sampler, 'info', 5);
      await clock.advance(700);
      expect.equal(
        { debug: kept(sampler, 'debug', 100), info: kept(sampler, 'info', 100) },
        { debug: 10, info: 10 },
        'lines kept at each level in the next second, after a debug flood and 5 info lines in the one before',
      );
    },
  },
]);
