/**
 * How long to wait before each retry. Two independent choices:
 *
 * - the **delay strategy**: how the wait grows with each retry (constant,
 *   linear or exponential), always capped at `capMs`;
 * - the **jitter strategy**: how that wait is spread at random, so that many
 *   clients that failed together do not all come back together.
 *
 * The jitter formulas are the ones in Marc Brooker's "Exponential Backoff And
 * Jitter" (AWS Architecture Blog), with `d` the capped delay of this retry:
 *
 *   none          d
 *   full          random(0, d)
 *   equal         d/2 + random(0, d/2)
 *   decorrelated  min(cap, random(base, previous * 3))
 *
 * Randomness comes from an injected Random: seeded in tests and in the lab,
 * so a run always makes the same choices.
 */
import type { Random } from '../kit/index.ts';

export type DelayStrategy = 'constant' | 'linear' | 'exponential';
export type JitterStrategy = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  /**
   * How the wait grows. Default 'exponential': a service that is down for
   * longer gets asked less and less often. 'constant' suits a wait for
   * something with a known period; 'linear' sits between.
   */
  strategy?: DelayStrategy;
  /** The first retry's delay before jitter, ms. Default 100. */
  baseMs?: number;
  /**
   * No delay is longer than this, ms. Default 10 000: without a cap an
   * exponential delay reaches hours by the 20th retry, and a client that
   * sleeps that long has in practice given up without saying so.
   */
  capMs?: number;
  /** Exponential only: each delay is this many times the previous. Default 2. */
  factor?: number;
  /**
   * How the delay is spread. Default 'full': the least total work for a
   * service that many clients retry against (see the AWS article). 'none'
   * keeps clients that failed together in lock-step.
   */
  jitter?: JitterStrategy;
}

export const BACKOFF_DEFAULTS: Required<BackoffOptions> = {
  strategy: 'exponential',
  baseMs: 100,
  capMs: 10_000,
  factor: 2,
  jitter: 'full',
};

/** The delays of one execution: call `next()` once per retry. */
export interface DelaySequence {
  next(): number;
}

export class Backoff {
  readonly strategy: DelayStrategy;
  readonly baseMs: number;
  readonly capMs: number;
  readonly factor: number;
  readonly jitter: JitterStrategy;

  constructor(options: BackoffOptions = {}) {
    const { strategy, baseMs, capMs, factor, jitter } = { ...BACKOFF_DEFAULTS, ...options };
    if (!['constant', 'linear', 'exponential'].includes(strategy)) {
      throw new RangeError(`strategy must be 'constant', 'linear' or 'exponential', got '${strategy}'`);
    }
    if (!['none', 'full', 'equal', 'decorrelated'].includes(jitter)) {
      throw new RangeError(`jitter must be one of none, full, equal, decorrelated, got '${jitter}'`);
    }
    if (!(baseMs >= 0 && Number.isFinite(baseMs))) throw new RangeError(`baseMs must be a finite number >= 0, got ${baseMs}`);
    if (!(capMs >= baseMs && Number.isFinite(capMs))) {
      throw new RangeError(`capMs must be a finite number >= baseMs (${baseMs}), got ${capMs}`);
    }
    if (!(factor >= 1 && Number.isFinite(factor))) throw new RangeError(`factor must be a finite number >= 1, got ${factor}`);
    this.strategy = strategy;
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.factor = factor;
    this.jitter = jitter;
  }

  /** The delay before retry number `retry` (1 = the first retry). */
  delay(retry: number): number {
    if (!(Number.isInteger(retry) && retry >= 1)) throw new RangeError(`retry must be an integer >= 1, got ${retry}`);
    // The seed's `base_delay * 2 ** attempt`, with the attempt counted from the first retry.
    return this.strategy === 'constant'
      ? this.baseMs
      : this.strategy === 'linear'
        ? this.baseMs * retry
        : this.baseMs * this.factor ** (retry - 1);
  }

  /** Starts the delays of one execution. */
  start(_random: Random): DelaySequence {
    let retry = 0;
    return { next: () => this.delay(++retry) };
  }
}
