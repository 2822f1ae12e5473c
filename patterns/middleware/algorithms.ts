/**
 * Rate-limiting algorithms: how many requests may one client make, and when?
 *
 * An algorithm decides for one client at a time and keeps that client's
 * state in a small object it creates. It holds no map of clients and no
 * clock: the RateLimiter (rate-limit.ts) owns the map, reads the clock,
 * evicts idle clients and passes `now` in. So each algorithm is a few dozen
 * lines, a test can feed it plain numbers, and a new algorithm (a sliding
 * window *counter*, GCRA, a leaky bucket) is one more class here.
 *
 * Every algorithm here counts only requests it allows: a client that keeps
 * hammering while refused is not locked out for longer, and its state stays
 * as small as its limit.
 */

/** One decision, with what the RateLimit headers need. */
export interface RateLimitDecision {
  allowed: boolean;
  /** The most requests a client may make in one window (the bucket size, for a token bucket). */
  limit: number;
  /** Requests the client may still make right now, after this one. */
  remaining: number;
  /** Ms until the client has its whole `limit` again if it sends nothing more. */
  resetMs: number;
  /** Ms until a request would be allowed; 0 when this one was. */
  retryAfterMs: number;
}

/** Decides requests for one client at a time. The limiter keeps one state per client. */
export interface RateLimitAlgorithm<S = unknown> {
  /** For logs and telemetry: `fixed-window`, `sliding-window`, `token-bucket`. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** A client's state before its first request. */
  create(now: number): S;
  /** Decides one request at `now`; updates `state` (counts the request when it is allowed). */
  consume(state: S, now: number): RateLimitDecision;
  /**
   * From when on `state` decides exactly as a fresh `create()` would: the
   * limiter may forget the client then, and nobody can tell.
   */
  idleAt(state: S): number;
}

export interface WindowOptions {
  /** Requests allowed per window, an integer >= 1. */
  limit: number;
  /** The window's length in ms. */
  windowMs: number;
}

const checkWindow = (kind: string, { limit, windowMs }: WindowOptions): void => {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`${kind} limit must be an integer >= 1, got ${limit}`);
  if (!(windowMs > 0 && Number.isFinite(windowMs))) {
    throw new RangeError(`${kind} windowMs must be a finite number > 0, got ${windowMs}`);
  }
};

export interface FixedWindowState {
  /** Which window the count is for: floor(now / windowMs). */
  window: number;
  count: number;
}

/**
 * Counts requests per window of `windowMs`; the count starts again at every
 * boundary. Windows are aligned on the clock (every client's window turns at
 * the same instant), like the per-minute counters of the widely copied Python version.
 *
 * One integer per client and trivial to reason about, but a client that sends
 * `limit` requests just before a boundary and `limit` just after gets twice
 * the limit through within a few milliseconds.
 */
export class FixedWindow implements RateLimitAlgorithm<FixedWindowState> {
  readonly name = 'fixed-window';
  readonly limit: number;
  readonly windowMs: number;

  constructor(options: WindowOptions) {
    checkWindow('FixedWindow', options);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  create(now: number): FixedWindowState {
    return { window: Math.floor(now / this.windowMs), count: 0 };
  }

  consume(state: FixedWindowState, now: number): RateLimitDecision {
    const window = Math.floor(now / this.windowMs);
    if (window !== state.window) {
      state.window = window;
      state.count = 0;
    }
    const resetMs = (window + 1) * this.windowMs - now;
    if (state.count >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetMs, retryAfterMs: resetMs };
    state.count++;
    return { allowed: true, limit: this.limit, remaining: this.limit - state.count, resetMs, retryAfterMs: 0 };
  }

  idleAt(state: FixedWindowState): number {
    return (state.window + 1) * this.windowMs;
  }
}

export interface SlidingLogState {
  /** When each allowed request of the last `windowMs` came, oldest first; never more than `limit`. */
  log: number[];
}

/**
 * A sliding log: remembers when each allowed request came and allows a new
 * one only if fewer than `limit` came in the last `windowMs`. Exact: no span
 * of `windowMs`, wherever it starts, ever holds more than `limit` allowed
 * requests, so there is no boundary to game.
 *
 * Why a log rather than a sliding window *counter* (Cloudflare's: this
 * window's count plus the previous window's, weighted by how much of it still
 * overlaps)? The counter keeps two integers per client instead of up to
 * `limit` timestamps, but it assumes the previous window's requests were
 * spread evenly, so a burst at the end of a window is under-counted later and
 * a span of `windowMs` can hold more than `limit`. With limits in the tens or
 * hundreds the log is cheap and its promise is simple; at 10 000 per hour per
 * client the counter is the better trade (an exercise).
 */
export class SlidingWindow implements RateLimitAlgorithm<SlidingLogState> {
  readonly name = 'sliding-window';
  readonly limit: number;
  readonly windowMs: number;

  constructor(options: WindowOptions) {
    checkWindow('SlidingWindow', options);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  create(): SlidingLogState {
    return { log: [] };
  }

  consume(state: SlidingLogState, now: number): RateLimitDecision {
    const { log } = state;
    // A request counts for the `windowMs` after it: at exactly now - windowMs it has left.
    let expired = 0;
    while (expired < log.length && log[expired]! <= now - this.windowMs) expired++;
    if (expired > 0) log.splice(0, expired);
    if (log.length >= this.limit) {
      return {
        allowed: false,
        limit: this.limit,
        remaining: 0,
        resetMs: log.at(-1)! + this.windowMs - now,
        retryAfterMs: log[0]! + this.windowMs - now,
      };
    }
    log.push(now);
    return { allowed: true, limit: this.limit, remaining: this.limit - log.length, resetMs: this.windowMs, retryAfterMs: 0 };
  }

  idleAt(state: SlidingLogState): number {
    const newest = state.log.at(-1);
    return newest === undefined ? -Infinity : newest + this.windowMs;
  }
}

export interface TokenBucketOptions extends WindowOptions {
  /** Tokens the bucket holds, the largest burst allowed at once. Default: `limit`. */
  burst?: number;
}

export interface TokenBucketState {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/**
 * A bucket of `burst` tokens that refills continuously at `limit` tokens per
 * `windowMs`; each request takes one token, and with none left it is refused.
 * Two state numbers per client, no boundaries, and the only one of the three
 * that separates the burst a client may send at once from its sustained rate.
 */
export class TokenBucket implements RateLimitAlgorithm<TokenBucketState> {
  readonly name = 'token-bucket';
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
  /** Tokens per ms. */
  private readonly refillRate: number;

  constructor(options: TokenBucketOptions) {
    checkWindow('TokenBucket', options);
    const { limit, windowMs, burst = limit } = options;
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`TokenBucket burst must be an integer >= 1, got ${burst}`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.burst = burst;
    this.refillRate = limit / windowMs;
  }

  create(now: number): TokenBucketState {
    return { tokens: this.burst, at: now };
  }

  consume(state: TokenBucketState, now: number): RateLimitDecision {
    // Refill lazily, for the time since the last request: no timer per client.
    state.tokens = Math.min(this.burst, state.tokens + Math.max(0, now - state.at) * this.refillRate);
    state.at = now;
    if (state.tokens < 1) {
      return {
        allowed: false,
        limit: this.burst,
        remaining: 0,
        resetMs: (this.burst - state.tokens) / this.refillRate,
        retryAfterMs: (1 - state.tokens) / this.refillRate,
      };
    }
    state.tokens -= 1;
    return {
      allowed: true,
      limit: this.burst,
      remaining: Math.floor(state.tokens),
      resetMs: (this.burst - state.tokens) / this.refillRate,
      retryAfterMs: 0,
    };
  }

  idleAt(state: TokenBucketState): number {
    return state.at + (this.burst - state.tokens) / this.refillRate;
  }
}

export type AlgorithmName = 'fixed-window' | 'sliding-window' | 'token-bucket';

/** Makes the algorithm called `name`. */
export const makeAlgorithm = (name: AlgorithmName, options: WindowOptions): RateLimitAlgorithm => {
  switch (name) {
    case 'fixed-window':
      return new FixedWindow(options);
    case 'sliding-window':
      return new SlidingWindow(options);
    case 'token-bucket':
      return new TokenBucket(options);
    default:
      throw new RangeError(`unknown rate-limit algorithm '${String(name)}'`);
  }
};
