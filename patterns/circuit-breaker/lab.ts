/**
 * The "payments" lab: a checkout endpoint calls a downstream payments service
 * through a circuit breaker. Inject faults at the `payments` fault point and
 * watch the circuit open, fail fast, probe and close again.
 *
 * This file wires things up and turns the breaker's typed events into
 * telemetry; the pattern itself (circuit-breaker.ts, breakers.ts) stays free
 * of telemetry calls. Thresholds come from DEFAULTS in circuit-breaker.ts, so
 * editing them there changes what you see here.
 */
import {
  DisposableStore,
  isDownstreamError,
  type LabContext,
  type LabInstance,
  type LabRequest,
  type LabResult,
} from '../kit/index.ts';
import { ConsecutiveBreaker, FailureRateBreaker, type Breaker } from './breakers.ts';
import { CircuitBreaker, DEFAULTS } from './circuit-breaker.ts';
import { BrokenCircuitError, TimeoutError } from './errors.ts';
import { paymentsParams } from './params.ts';

const ROUTE = 'POST /checkout';
/** The healthy payments service answers in 3–7 ms. */
const PAYMENTS_BASE_LATENCY_MS = 3;
const PAYMENTS_JITTER_MS = 4;

/** Payments answered, but not with a 2xx. `fetch`-like clients resolve on any status, so we throw. */
export class PaymentsStatusError extends Error {
  override readonly name = 'PaymentsStatusError';

  constructor(readonly status: number) {
    super(`payments answered ${status}`);
  }
}

export type Policy = (typeof paymentsParams.defaults)['policy'];

const makeBreaker = (policy: Policy): Breaker =>
  policy === 'failure-rate'
    ? new FailureRateBreaker(DEFAULTS.failureRate)
    : new ConsecutiveBreaker(DEFAULTS.consecutiveFailures);

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const { policy, resetTimeoutMs, callTimeoutMs } = paymentsParams.read(ctx.params);

  const payments = ctx.service('payments', {
    async handle() {
      await ctx.clock.sleep(PAYMENTS_BASE_LATENCY_MS + ctx.random.next() * PAYMENTS_JITTER_MS);
      return { status: 200, headers: {}, body: { ok: true } };
    },
  });

  const circuit = store.add(
    new CircuitBreaker({
      clock: ctx.clock,
      breaker: makeBreaker(policy),
      resetTimeoutMs,
      callTimeoutMs,
      // Only what says "payments is unhealthy" counts: a bad status or a broken
      // connection. A bug in our own code (a TypeError) is not payments' fault.
      isFailure: (error) => error instanceof PaymentsStatusError || isDownstreamError(error),
    }),
  );

  // The invariants (pattern.ts), checked where a call is about to reach payments.
  let probes = 0;
  store.add(
    circuit.onStateChange(({ to }) => {
      if (to === 'half-open') probes = 0;
    }),
  );
  const checkCallAllowed = (requestId: string) => {
    const state = circuit.state;
    ctx.invariant('open-circuit-blocks-calls', state !== 'open' && state !== 'isolated', () => `${requestId} reached payments while the circuit was ${state}`);
    if (state === 'half-open') {
      probes++;
      ctx.invariant(
        'half-open-probe-limit',
        probes <= DEFAULTS.halfOpenMaxProbes,
        () => `${requestId} was probe ${probes} of this half-open period; at most ${DEFAULTS.halfOpenMaxProbes} may go through`,
      );
    }
  };

  // Counted between transitions, so the log can say what each state did.
  let rejected = 0;
  let failures = 0;
  store.add(circuit.onReject(() => rejected++));
  store.add(
    circuit.onFailure(({ counted }) => {
      if (counted) failures++;
    }),
  );
  store.add(
    circuit.onStateChange(({ from, to, reason }) => {
      ctx.emit({ type: 'circuit.state', name: 'payments', from, to, reason });
      const fields = { from, to, reason, policy, failures, rejected };
      if (to === 'open') ctx.log.warn(`payments circuit opened (${reason}): failing fast`, fields);
      else if (to === 'half-open') ctx.log.info(`payments circuit half-open: up to ${DEFAULTS.halfOpenMaxProbes} probe(s) may go through`, fields);
      else ctx.log.info(`payments circuit ${to} (${reason})`, fields);
      rejected = 0;
      failures = 0;
    }),
  );
  ctx.log.info(`payments circuit ready (${policy} policy)`, { state: circuit.toJSON() });

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      try {
        const response = await circuit.execute(async (signal) => {
          checkCallAllowed(request.id);
          const answer = await payments.request({
            method: 'POST',
            path: '/charges',
            headers: { 'content-type': 'application/json', 'x-request-id': request.id },
            body: { amount: 4200, currency: 'EUR', client: request.clientKey },
            signal,
          });
          if (answer.status < 200 || answer.status >= 300) throw new PaymentsStatusError(answer.status);
          return answer;
        }, request.signal);
        return { outcome: 'ok', status: response.status, route: ROUTE };
      } catch (error) {
        return toResult(error);
      }
    },
    dispose: () => store.dispose(),
  };
}

/** Maps what the breaker threw to the request log's outcome. */
const toResult = (error: unknown): LabResult => {
  const message = error instanceof Error ? error.message : String(error);
  // IsolatedCircuitError is a BrokenCircuitError too.
  if (error instanceof BrokenCircuitError) return { outcome: 'rejected', status: 503, error: message, route: ROUTE };
  if (error instanceof TimeoutError) return { outcome: 'timeout', status: 504, error: message, route: ROUTE };
  // Payments failed (a bad status, a broken connection) or our own code threw.
  return { outcome: 'error', status: 502, error: message, route: ROUTE };
};
