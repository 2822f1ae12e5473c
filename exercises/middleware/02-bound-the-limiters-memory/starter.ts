/**
 * Rate limiting: the RateLimiter keeps one algorithm state per client and
 * keeps that memory bounded; the `rateLimit` middleware asks it about each
 * request and answers 429 with `Retry-After` when the client is over its
 * limit, with RateLimit headers on every answer.
 *
 * The algorithm (algorithms.ts) decides; this file owns what every algorithm
 * needs around it: the map of clients, the clock, eviction and the HTTP side.
 */
import { Emitter, type Clock, type Disposable, type Event } from '../kit/index.ts';
import type { RateLimitAlgorithm, RateLimitDecision } from './algorithms.ts';
import type { Middleware, Request } from './pipeline.ts';

/** The defaults, in one place. */
export const DEFAULTS = {
  /**
   * How often expired client states are forgotten. 10 s returns an idle client's memory
   * within seconds; a sweep of 10 000 clients every 10 s costs nothing.
   */
  sweepIntervalMs: 10_000,
  /**
   * The most clients remembered at once. A flood of made-up client keys must
   * not grow memory without end: beyond this, the client seen least recently
   * is forgotten (and gets a fresh allowance if it comes back).
   */
  maxKeys: 10_000,
  /** The header that names the client. */
  keyHeader: 'x-client-key',
  /** The key of requests that name no client: they all share one allowance. */
  anonymousKey: 'anonymous',
  /** Longer client keys are not trusted as keys (memory again). */
  maxKeyLength: 128,
};

export interface RateLimiterOptions {
  /** Decides each request. */
  algorithm: RateLimitAlgorithm;
  /** Where time comes from: the real, monotonic clock live; a VirtualClock in tests. */
  clock: Clock;
  /** Ms between sweeps for expired client states. Default `DEFAULTS.sweepIntervalMs` (10 s). */
  sweepIntervalMs?: number;
  /** The most clients remembered. Default `DEFAULTS.maxKeys` (10 000). */
  maxKeys?: number;
}

export interface DecisionEvent extends RateLimitDecision {
  key: string;
}

export interface EvictEvent {
  keys: string[];
  /**
   * `expired`: their state decided like a fresh one again (see `idleAt`), so
   * forgetting them changes nothing. `capacity`: `maxKeys` was reached and they
   * were seen least recently.
   */
  reason: 'expired' | 'capacity';
  /** Clients remembered after the eviction. */
  size: number;
}

/** Decides requests per client with one algorithm. */
export class RateLimiter implements Disposable {
  readonly algorithm: RateLimitAlgorithm;
  private readonly clock: Clock;
  /** One state per client. */
  private readonly states = new Map<string, unknown>();

  private readonly decisionEmitter = new Emitter<DecisionEvent>();
  private readonly evictEmitter = new Emitter<EvictEvent>();
  /** Fires for every request decided. */
  readonly onDecision: Event<DecisionEvent> = this.decisionEmitter.event;
  /** Fires when clients are forgotten: once per sweep that found some, once per capacity eviction. */
  readonly onEvict: Event<EvictEvent> = this.evictEmitter.event;

  constructor(options: RateLimiterOptions) {
    const { algorithm, clock } = options;
    this.algorithm = algorithm;
    this.clock = clock;
  }

  /** Clients remembered right now. */
  get size(): number {
    return this.states.size;
  }

  /** Decides one request from `key`, and counts it if it is allowed. */
  check(key: string): RateLimitDecision {
    const now = this.clock.now();
    let state = this.states.get(key);
    if (state === undefined) {
      state = this.algorithm.create(now);
      this.states.set(key, state);
    }
    const decision = this.algorithm.consume(state, now);
    if (this.decisionEmitter.hasListeners) this.decisionEmitter.fire({ key, ...decision });
    return decision;
  }

  /** Forgets every client. */
  dispose(): void {
    this.states.clear();
    this.decisionEmitter.dispose();
    this.evictEmitter.dispose();
  }
}

/** Which client a request counts against: the `x-client-key` header, or the shared anonymous key. */
export const clientKeyOf = (req: Request): string => {
  const key = req.headers[DEFAULTS.keyHeader]?.trim();
  return key && key.length <= DEFAULTS.maxKeyLength ? key : DEFAULTS.anonymousKey;
};

export interface RateLimitOptions {
  limiter: RateLimiter;
  /** Which client a request counts against. Default: `clientKeyOf`. */
  keyOf?: (req: Request) => string;
}

/** HTTP speaks whole seconds; round up, so a client that waits that long is let in. */
const toSeconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Refuses requests over the client's limit with 429 Too Many Requests before
 * any work is done. Every answer carries `ratelimit-limit`,
 * `ratelimit-remaining` and `ratelimit-reset` (seconds until the whole limit
 * is back), so well-behaved clients can slow down before they are refused; a
 * 429 also carries `retry-after` (seconds until a request would be allowed).
 */
export const rateLimit = (options: RateLimitOptions): Middleware => {
  const { limiter, keyOf = clientKeyOf } = options;
  return async (req, res, next) => {
    const decision = limiter.check(keyOf(req));
    res.headers['ratelimit-limit'] = String(decision.limit);
    res.headers['ratelimit-remaining'] = String(decision.remaining);
    res.headers['ratelimit-reset'] = String(toSeconds(decision.resetMs));
    if (!decision.allowed) {
      const retryAfter = Math.max(1, toSeconds(decision.retryAfterMs));
      res.status = 429;
      res.headers['retry-after'] = String(retryAfter);
      res.body = { error: 'Too Many Requests', retryAfterSeconds: retryAfter };
      return;
    }
    await next();
  };
};
