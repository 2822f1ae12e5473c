/**
 * The "basic" lab: each request to GET /items calls the backend service
 * through the concurrency limit of __id__.ts. Slow the backend down at the
 * `backend` fault point and watch the limit turn calls away instead of
 * letting them pile up.
 *
 * This file wires things up and turns the limit's typed events into
 * telemetry; the implementation itself stays free of telemetry calls.
 */
import {
  DisposableStore,
  isDownstreamError,
  type LabContext,
  type LabInstance,
  type LabRequest,
  type LabResult,
} from '../kit/index.ts';
import { ConcurrencyLimit, LimitReachedError } from './__id__.ts';
import { basicParams } from './params.ts';

const ROUTE = 'GET /items';
/** The healthy backend answers in 3–7 ms. */
const BACKEND_BASE_LATENCY_MS = 3;
const BACKEND_JITTER_MS = 4;

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const { limit, callTimeoutMs } = basicParams.read(ctx.params);

  const backend = ctx.service('backend', {
    async handle() {
      await ctx.clock.sleep(BACKEND_BASE_LATENCY_MS + ctx.random.next() * BACKEND_JITTER_MS);
      return { status: 200, headers: {}, body: { items: [] } };
    },
  });

  const concurrency = store.add(new ConcurrencyLimit({ limit }));

  // The limit's decisions become telemetry, and the start and end of each stretch of
  // turned-away calls a log line (one per stretch, not one per call).
  let full = false;
  store.add(
    concurrency.onDecision((decision) => {
      const { admitted, inFlight } = decision;
      const requestId = ctx.currentRequestId();
      ctx.emit({ type: '__id__.decision', ...(requestId !== undefined && { requestId }), admitted, inFlight, limit: decision.limit });
      const fields = { inFlight, limit: decision.limit };
      if (!admitted && !full) ctx.log.warn(`all ${decision.limit} slots taken: turning calls away`, fields);
      if (admitted && full) ctx.log.info('a slot is free again: admitting calls', fields);
      full = !admitted;
    }),
  );
  ctx.log.info(`backend calls limited to ${limit} in flight`, { limit, callTimeoutMs });

  // The invariant (pattern.ts), counted here where calls reach the backend rather than
  // trusted to the limit's own count: the limit is the code under test.
  let calling = 0;
  const callBackend = async (request: LabRequest) => {
    calling++;
    try {
      ctx.invariant('in-flight-within-limit', calling <= limit, () => `${request.id} made ${calling} calls in flight to the backend; the limit is ${limit}`);
      return await backend.request({
        method: 'GET',
        path: '/items',
        headers: { 'x-request-id': request.id },
        timeoutMs: callTimeoutMs,
        signal: request.signal,
      });
    } finally {
      calling--;
    }
  };

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      try {
        const answer = await concurrency.execute(() => callBackend(request));
        if (answer.status < 200 || answer.status >= 300) {
          return { outcome: 'error', status: 502, error: `backend answered ${answer.status}`, route: ROUTE };
        }
        return { outcome: 'ok', status: 200, route: ROUTE };
      } catch (error) {
        return toResult(error);
      }
    },
    dispose: () => store.dispose(),
  };
}

/** Maps what the call threw to the request log's outcome. */
const toResult = (error: unknown): LabResult => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof LimitReachedError) return { outcome: 'rejected', status: 503, error: message, route: ROUTE };
  if (isDownstreamError(error) && error.code === 'ETIMEDOUT') return { outcome: 'timeout', status: 504, error: message, route: ROUTE };
  // The backend's connection broke, or our own code threw.
  return { outcome: 'error', status: 502, error: message, route: ROUTE };
};
