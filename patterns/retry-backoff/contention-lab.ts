/**
 * The "contention" lab: a herd of clients each place one order at the same
 * moment, while the orders service is down. It comes back after `outageMs`
 * with room for only `capacity` calls at a time and turns the rest away with
 * a 503. Every client retries with the same policy; switch the jitter
 * strategy and compare the load on orders, the total calls and the time
 * until every client is done. Without jitter the retries arrive in waves.
 *
 * Each inbound request of the load is one client. The default load is a
 * closed model with 100 clients that each send one request:
 * `{ model: 'closed', concurrency: 100, amount: 100, clients: 100 }`. The
 * `clients` knob says how many requests make one herd (keep it equal to the
 * load's amount): when that many are done the lab emits `retry.summary`
 * (declared in telemetry.ts), and the next request starts a new herd, with a
 * new outage. To compare strategies, change `jitter` and send the same load
 * again.
 */
import { DisposableStore, type LabContext, type LabInstance, type LabRequest, type LabResult } from '../kit/index.ts';
import { ensureOk } from './errors.ts';
import { backoffFrom, InFlight, instrumentedPolicy, toResult, watchAttempts } from './lab-support.ts';
import { DEFAULTS } from './retry.ts';
import { contentionParams } from './params.ts';

const ROUTE = 'POST /orders';
/** Calls to orders are bucketed by this much for the peak. */
const BUCKET_MS = 100;
/** A call orders accepts takes this long to serve, and holds one of its `capacity` slots meanwhile. */
const SERVICE_TIME_MS = 50;
/** Turning a call away is quick. */
const REFUSAL_LATENCY_MS = 2;
const ATTEMPT_TIMEOUT_MS = 1_000;

interface Herd {
  /** Clock time of the herd's first request. */
  startedAt: number;
  arrived: number;
  finished: number;
  succeeded: number;
  failed: number;
  calls: number;
  /** Calls per BUCKET_MS since `startedAt`. */
  buckets: number[];
}

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const { clock } = ctx;
  const params = contentionParams.read(ctx.params);
  const { clients, outageMs, capacity, jitter: strategy } = params;

  let herd: Herd | undefined;
  let outageUntil = -Infinity;
  let serving = 0;
  /** Set by dispose: requests it aborts end the herd, but it did not finish, so no summary. */
  let stopping = false;

  const orders = ctx.service('orders', {
    async handle() {
      if (clock.now() < outageUntil) {
        await clock.sleep(REFUSAL_LATENCY_MS);
        return { status: 503, headers: {}, body: { error: 'orders is restarting' } };
      }
      // Load shedding: past its capacity it answers at once rather than queue.
      if (serving >= capacity) return { status: 503, headers: {}, body: { error: 'orders is overloaded' } };
      serving++;
      try {
        await clock.sleep(SERVICE_TIME_MS);
      } finally {
        serving--;
      }
      return { status: 201, headers: {}, body: { accepted: true } };
    },
  });

  const policy = instrumentedPolicy(ctx, store, {
    maxAttempts: params.maxAttempts,
    backoff: backoffFrom(params),
  });

  const join = (): Herd => {
    if (!herd || herd.arrived >= clients) {
      herd = { startedAt: clock.now(), arrived: 0, finished: 0, succeeded: 0, failed: 0, calls: 0, buckets: [] };
      outageUntil = clock.now() + outageMs;
      ctx.log.info(`${clients} clients arrive; orders is down for ${outageMs} ms`, { strategy, clients, outageMs, capacity });
    }
    herd.arrived++;
    return herd;
  };

  const finish = (done: Herd): void => {
    done.finished++;
    if (done.finished !== clients || stopping) return;
    if (herd === done) herd = undefined;
    const summary = {
      strategy,
      clients,
      totalCalls: done.calls,
      doneAtMs: Math.round(clock.now() - done.startedAt),
      succeeded: done.succeeded,
      failed: done.failed,
      recoveryPeakPer100ms: Math.max(0, ...Array.from(done.buckets.slice(Math.floor(outageMs / BUCKET_MS)), (n) => n ?? 0)),
    };
    ctx.emit({ type: 'retry.summary', ...summary });
    ctx.log.info(`all ${clients} clients done in ${summary.doneAtMs} ms with ${summary.totalCalls} calls`, summary);
  };

  // The policy honours Retry-After up to its default cap (retry.ts).
  const limits = { maxAttempts: params.maxAttempts, capDelayMs: Math.max(params.capDelayMs, params.baseDelayMs), maxRetryAfterMs: DEFAULTS.maxRetryAfterMs };

  const serve = async (request: LabRequest): Promise<LabResult> => {
    const mine = join();
    // Checks the invariants (pattern.ts) on the attempts this client really makes.
    const watch = watchAttempts(ctx, limits, request.id);
    try {
      const response = await policy.execute(
        async (_attempt, signal) => {
          mine.calls++;
          const bucket = Math.floor((clock.now() - mine.startedAt) / BUCKET_MS);
          mine.buckets[bucket] = (mine.buckets[bucket] ?? 0) + 1;
          return ensureOk(
            await watch.attempt(() =>
              orders.request({
                method: 'POST',
                path: '/orders',
                headers: { 'content-type': 'application/json', 'x-request-id': request.id },
                body: { client: request.clientKey, item: 'sku-1042' },
                timeoutMs: ATTEMPT_TIMEOUT_MS,
                signal,
              }),
            ),
            'orders',
          );
        },
        { signal: request.signal },
      );
      mine.succeeded++;
      return { outcome: 'ok', status: response.status, route: ROUTE };
    } catch (error) {
      mine.failed++;
      return toResult(error, ROUTE);
    } finally {
      finish(mine);
    }
  };

  const inFlight = new InFlight();
  return {
    handle: (request) => inFlight.track(serve(request)),
    async dispose() {
      stopping = true;
      store.dispose(); // aborts every retry in flight, at once
      await inFlight.settled();
    },
  };
}
