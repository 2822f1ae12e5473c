/**
 * Sampling: under load, debug lines come by the thousand a second, cost CPU
 * and disk and money at the log vendor, and bury the few lines that matter.
 * A sampler keeps the flood down without going blind:
 *
 * - a budget per level per second: the first `perSecond` lines of a sampled
 *   level in each second are kept, so a quiet service keeps every line and a
 *   loaded one keeps a bounded number, whatever the load;
 * - past the budget, a small random share (`thereafter`) is still kept, so a
 *   flood leaves a trace of what it was;
 * - only the `levels` listed are sampled, each on a budget of its own.
 *   Warnings and errors never are: they are the lines you need when the
 *   flood comes, and they are rare, or you have a bigger problem than log
 *   volume.
 *
 * (Go's zap samples much like this, by level and message: the first N lines
 * each second, then every Mth.) Time comes from the injected clock and chance
 * from the injected random source, so a check sees the same lines kept every time.
 */
import type { Clock, Random } from '../kit/index.ts';
import { LEVEL_VALUES, type Level, type Sampler } from './logger.ts';

export interface BudgetSamplerOptions {
  clock: Clock;
  random: Random;
  /** Lines of each sampled level kept per second before sampling starts. Default 100. */
  perSecond?: number;
  /** The levels sampled, each on a budget of its own (`debug`, `info`: a RangeError for `warn` or `error`). The others are never sampled. Default `['debug']`. */
  levels?: readonly Level[];
  /** Past its budget, the share of a level's lines still kept, 0 to 1. Default 0.01: one in a hundred. */
  thereafter?: number;
}

export class BudgetSampler implements Sampler {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly perSecond: number;
  private readonly thereafter: number;
  /** Per sampled level, the second being counted and the lines seen in it. */
  private readonly windows = new Map<Level, { second: number; seen: number }>();

  constructor(options: BudgetSamplerOptions) {
    const { perSecond = 100, levels = ['debug'], thereafter = 0.01 } = options;
    if (!Number.isInteger(perSecond) || perSecond < 0) throw new RangeError(`perSecond must be a whole number of lines, 0 or more, got ${perSecond}`);
    if (!(thereafter >= 0 && thereafter <= 1)) throw new RangeError(`thereafter must be a share between 0 and 1, got ${thereafter}`);
    const never = levels.filter((level) => LEVEL_VALUES[level] >= LEVEL_VALUES.warn);
    if (never.length > 0) throw new RangeError(`warnings and errors are never sampled: levels must not include ${never.join(', ')}`);
    this.clock = options.clock;
    this.random = options.random;
    this.perSecond = perSecond;
    this.thereafter = thereafter;
    for (const level of levels) this.windows.set(level, { second: -1, seen: 0 });
  }

  keep(level: Level): boolean {
    const window = this.windows.get(level);
    // Not a sampled level: warnings and errors are the lines you need when the flood comes.
    if (window === undefined) return true;
    // Seconds on the monotonic clock: a wall clock stepping back would hand out a budget again.
    const second = Math.floor(this.clock.now() / 1_000);
    if (window.second !== second) {
      window.second = second;
      window.seen = 0;
    }
    window.seen++;
    return window.seen <= this.perSecond || this.random.next() < this.thereafter;
  }
}
