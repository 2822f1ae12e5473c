/**
 * The lab's service: `GET /quote` asks the pricing service for a price,
 * through a pool of connections. Three of its settings shape what it does:
 * `POOL_SIZE` (connections held at once; the others wait), `REQUEST_TIMEOUT_MS`
 * (waiting for a connection included) and `PRICING_URL` (which host and path
 * it calls); `PRICING_API_KEY` goes in the Authorization header, the one place
 * its value is revealed. It reads the settings in use at the start of each
 * request, so a reload applies from the next request on.
 */
import { Emitter, isDownstreamError, type Clock, type HttpClient } from '../kit/index.ts';
import type { AppSettings } from './app-settings.ts';

/** The host the lab's pricing service answers on; any other is not found, as DNS would say. */
export const PRICING_HOST = 'pricing.internal';

export interface PoolState {
  inUse: number;
  size: number;
  waiting: number;
}

/** No connection came free before the request's deadline. */
export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError';
}

/** A fixed number of connections; callers wait for one up to a deadline. Resized live. */
export class ConnectionPool {
  #inUse = 0;
  #waiters: Array<() => void> = [];
  readonly #change = new Emitter<PoolState>();
  readonly onChange = this.#change.event;

  constructor(
    private readonly clock: Clock,
    private size: number,
  ) {}

  get state(): PoolState {
    return { inUse: this.#inUse, size: this.size, waiting: this.#waiters.length };
  }

  /** Takes a connection, waiting up to `timeoutMs`; the result gives it back. */
  async acquire(timeoutMs: number): Promise<() => void> {
    if (this.#inUse < this.size) {
      this.#inUse++;
    } else {
      // #wake hands the connection over (and counts it) before resolving.
      await new Promise<void>((resolve, reject) => {
        const waiter = () => {
          timer.dispose();
          resolve();
        };
        const timer = this.clock.setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          this.#change.fire(this.state);
          reject(new PoolTimeoutError(`no connection to the pricing service came free within ${timeoutMs} ms (pool of ${this.size})`));
        }, timeoutMs);
        this.#waiters.push(waiter);
        this.#change.fire(this.state);
      });
    }
    this.#change.fire(this.state);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      this.#wake();
      this.#change.fire(this.state);
    };
  }

  resize(size: number): void {
    this.size = size;
    this.#wake();
    this.#change.fire(this.state);
  }

  #wake(): void {
    while (this.#inUse < this.size && this.#waiters.length > 0) {
      this.#inUse++;
      this.#waiters.shift()!();
    }
  }

  dispose(): void {
    this.#change.dispose();
  }
}

export type QuoteAnswer =
  | { ok: true; priceCents: number }
  | { ok: false; status: 502 | 504; error: string; timeout?: boolean };

export class QuoteService {
  constructor(
    private readonly clock: Clock,
    private readonly pricing: HttpClient,
    private readonly pool: ConnectionPool,
  ) {}

  /** One quote, on `settings` (those in use when the request started). */
  async quote(settings: AppSettings, requestId: string): Promise<QuoteAnswer> {
    const url = new URL(settings.pricingUrl);
    if (url.hostname !== PRICING_HOST) {
      const error = url.hostname === 'localhost' ? `connect ECONNREFUSED ${url.host}: nothing listens there` : `getaddrinfo ENOTFOUND ${url.hostname}`;
      return { ok: false, status: 502, error: `pricing service at ${url.origin}: ${error}` };
    }
    const deadline = this.clock.now() + settings.requestTimeoutMs;
    let release: () => void;
    try {
      release = await this.pool.acquire(settings.requestTimeoutMs);
    } catch (error) {
      if (error instanceof PoolTimeoutError) return { ok: false, status: 504, error: error.message, timeout: true };
      throw error;
    }
    try {
      const response = await this.pricing.request({
        method: 'GET',
        path: `${url.pathname.replace(/\/$/, '')}/quote`,
        headers: { authorization: `Bearer ${settings.pricingApiKey.reveal()}`, 'x-request-id': requestId },
        timeoutMs: Math.max(1, deadline - this.clock.now()),
      });
      if (response.status !== 200) return { ok: false, status: 502, error: `pricing service answered ${response.status}` };
      return { ok: true, priceCents: (response.body as { priceCents: number }).priceCents };
    } catch (error) {
      if (isDownstreamError(error) && error.code === 'ETIMEDOUT') {
        return { ok: false, status: 504, error: `pricing service: no answer within ${settings.requestTimeoutMs} ms`, timeout: true };
      }
      return { ok: false, status: 502, error: `pricing service: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      release();
    }
  }
}
