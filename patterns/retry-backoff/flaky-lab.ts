/**
 * The "flaky" lab: every request to GET /products/:sku asks a flaky inventory
 * service for stock, through a retry policy. Watch each request's attempts
 * and waits, change the backoff and jitter live, and inject faults at the
 * `inventory` point to see what is retried and what is not.
 *
 * This file wires things up and turns the policy's typed events into
 * telemetry; the pattern itself (retry.ts, backoff.ts, retryable.ts) stays
 * free of telemetry calls.
 */
import { DisposableStore, type LabContext, type LabInstance, type LabRequest, type LabResult } from '../kit/index.ts';
import { ensureOk } from './errors.ts';
import { backoffFrom, InFlight, instrumentedPolicy, toResult, watchAttempts } from './lab-support.ts';
import { flakyParams } from './params.ts';

const ROUTE = 'GET /products/:sku';
/** A healthy inventory answers in 5–15 ms. */
const INVENTORY_BASE_LATENCY_MS = 5;
const INVENTORY_JITTER_MS = 10;
/**
 * Each attempt gets this long: a hung call ends as ETIMEDOUT (retryable)
 * instead of eating the whole deadline. Per attempt, inside the retry loop.
 */
const ATTEMPT_TIMEOUT_MS = 500;
/** The longest Retry-After we honour here: inject a 429 with a bigger one and watch it capped. */
const MAX_RETRY_AFTER_MS = 5_000;

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const params = flakyParams.read(ctx.params);
  const { flakiness } = params;

  // Flaky by nature: a share of calls answers 503 before any fault is injected.
  const inventory = ctx.service('inventory', {
    async handle(request) {
      await ctx.clock.sleep(INVENTORY_BASE_LATENCY_MS + ctx.random.next() * INVENTORY_JITTER_MS);
      if (ctx.random.next() < flakiness) {
        return { status: 503, headers: {}, body: { error: 'inventory is briefly unavailable' } };
      }
      return { status: 200, headers: {}, body: { sku: request.path.split('/').at(-1), available: 7 } };
    },
  });

  const policy = instrumentedPolicy(ctx, store, {
    maxAttempts: params.maxAttempts,
    backoff: backoffFrom(params),
    deadlineMs: params.deadlineMs,
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  });
  ctx.log.info('inventory retry policy ready', { ...params });

  const limits = {
    maxAttempts: params.maxAttempts,
    capDelayMs: Math.max(params.capDelayMs, params.baseDelayMs),
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    deadlineMs: params.deadlineMs,
  };

  const serve = async (request: LabRequest): Promise<LabResult> => {
    // Checks the invariants (pattern.ts) on the attempts this request really makes.
    const watch = watchAttempts(ctx, limits, request.id);
    try {
      const response = await policy.execute(
        async (_attempt, signal) =>
          // The client resolves on any status; ensureOk turns a bad one into
          // an HttpStatusError so the policy can judge it.
          ensureOk(
            await watch.attempt(() =>
              inventory.request({
                path: '/stock/sku-1042',
                headers: { 'x-request-id': request.id },
                timeoutMs: ATTEMPT_TIMEOUT_MS,
                signal,
              }),
            ),
            'inventory',
          ),
        { signal: request.signal },
      );
      return { outcome: 'ok', status: response.status, route: ROUTE };
    } catch (error) {
      return toResult(error, ROUTE);
    }
  };

  const inFlight = new InFlight();
  return {
    handle: (request) => inFlight.track(serve(request)),
    async dispose() {
      store.dispose(); // aborts every retry in flight, at once
      await inFlight.settled();
    },
  };
}
