/** `make*(overrides)` builders of telemetry events for reducer tests. */
import type { FaultSpec, TelemetryEvent, TelemetryOf } from '../../../../patterns/kit/index.ts';

const base = { t: 0, runId: 'run-1', seq: 0 };

export const makeRequest = (overrides: Partial<TelemetryOf<'request'>> = {}): TelemetryOf<'request'> => ({
  ...base,
  type: 'request',
  id: 'req-1',
  direction: 'inbound',
  target: 'POST /checkout',
  outcome: 'ok',
  status: 200,
  durationMs: 5,
  clientKey: 'client-0',
  ...overrides,
});

/** An outbound call made while serving `parentId`. */
export const makeOutbound = (overrides: Partial<TelemetryOf<'request'>> = {}): TelemetryOf<'request'> => {
  const parentId = overrides.parentId ?? 'req-1';
  const attempt = overrides.attempt ?? 1;
  return makeRequest({ direction: 'outbound', target: 'payments', id: `${parentId}/payments/${attempt}`, parentId, attempt, clientKey: undefined, ...overrides });
};

export const makeMetrics = (overrides: Partial<TelemetryOf<'metrics'>> = {}): TelemetryOf<'metrics'> => ({
  ...base,
  type: 'metrics',
  windowMs: 1000,
  count: 10,
  rate: 10,
  errors: 0,
  rejected: 0,
  errorRate: 0,
  p50: 5,
  p90: 8,
  p99: 12,
  p999: 15,
  ...overrides,
});

/*
 * A pattern's own event types (`circuit.state`, `retry.attempt`, …) are
 * declared in its folder (`patterns/<id>/telemetry.ts`), which the web app's
 * typecheck does not include: to it they are not `TelemetryEvent`s, and a
 * generic view reads them by the names its spec gives. So these makers check
 * the fields against the shape the pattern declares, repeated here, and cast
 * the result: a `TelemetryEvent` that also has those fields.
 */

/** The stamp every event has; a maker's overrides may set it too. */
type Stamp = typeof base;

/** An event of a pattern's own type, as the web sees it: any event, with these fields. */
export type PatternEvent<F> = TelemetryEvent & F;

const patternEvent = <F extends object>(type: string, fields: F, overrides: Partial<F & Stamp>): PatternEvent<F> =>
  ({ ...base, type, ...fields, ...overrides }) as unknown as PatternEvent<F>;

/** `circuit.state`, as patterns/circuit-breaker/telemetry.ts declares it. */
export type CircuitStateFields = { name: string; from: string; to: string; reason?: string };

export const makeCircuitState = (overrides: Partial<CircuitStateFields & Stamp> = {}): PatternEvent<CircuitStateFields> =>
  patternEvent<CircuitStateFields>('circuit.state', { name: 'payments', from: 'closed', to: 'open', reason: 'failure-threshold' }, overrides);

/** `retry.attempt`, as patterns/retry-backoff/telemetry.ts declares it. */
export type RetryAttemptFields = { requestId: string; attempt: number; delayMs: number; error: string };

export const makeRetryAttempt = (overrides: Partial<RetryAttemptFields & Stamp> = {}): PatternEvent<RetryAttemptFields> =>
  patternEvent<RetryAttemptFields>('retry.attempt', { requestId: 'req-1', attempt: 1, delayMs: 100, error: 'HTTP 503' }, overrides);

/** `retry.giveup`, as patterns/retry-backoff/telemetry.ts declares it. */
export type RetryGiveupFields = { requestId: string; attempts: number; error: string };

export const makeRetryGiveup = (overrides: Partial<RetryGiveupFields & Stamp> = {}): PatternEvent<RetryGiveupFields> =>
  patternEvent<RetryGiveupFields>('retry.giveup', { requestId: 'req-1', attempts: 3, error: 'HTTP 503' }, overrides);

/** `event.published`, as patterns/event-bus/telemetry.ts declares it. */
export type PublishedFields = { eventId: string; name: string };

export const makePublished = (overrides: Partial<PublishedFields & Stamp> = {}): PatternEvent<PublishedFields> =>
  patternEvent<PublishedFields>('event.published', { eventId: 'evt-1', name: 'user.created' }, overrides);

/** `event.handled`, as patterns/event-bus/telemetry.ts declares it. */
export type HandledFields = { eventId: string; handler: string; ok: boolean; durationMs: number; attempt: number; error?: string };

export const makeHandled = (overrides: Partial<HandledFields & Stamp> = {}): PatternEvent<HandledFields> =>
  patternEvent<HandledFields>('event.handled', { eventId: 'evt-1', handler: 'send-welcome-email', ok: true, durationMs: 10, attempt: 1 }, overrides);

/** `event.deadletter`, as patterns/event-bus/telemetry.ts declares it. */
export type DeadLetterFields = { eventId: string; name: string; handler: string; attempts: number; error: string };

export const makeDeadLetter = (overrides: Partial<DeadLetterFields & Stamp> = {}): PatternEvent<DeadLetterFields> =>
  patternEvent<DeadLetterFields>('event.deadletter', { eventId: 'evt-1', name: 'user.created', handler: 'send-welcome-email', attempts: 3, error: 'email answered 503' }, overrides);

/** `ratelimit`, as patterns/middleware/telemetry.ts declares it. */
export type RateLimitFields = { key: string; allowed: boolean; remaining: number; limit: number; algorithm: string };

export const makeRateLimit = (overrides: Partial<RateLimitFields & Stamp> = {}): PatternEvent<RateLimitFields> =>
  patternEvent<RateLimitFields>('ratelimit', { key: 'client-0', allowed: true, remaining: 9, limit: 10, algorithm: 'fixed-window' }, overrides);

export const makeLog = (overrides: Partial<TelemetryOf<'log'>> = {}): TelemetryOf<'log'> => ({
  ...base,
  type: 'log',
  level: 'info',
  msg: 'hello',
  fields: {},
  ...overrides,
});

export const makeFaultInjected = (overrides: Partial<TelemetryOf<'fault.injected'>> = {}): TelemetryOf<'fault.injected'> => ({
  ...base,
  type: 'fault.injected',
  point: 'payments',
  kind: 'status',
  status: 503,
  requestId: 'req-1',
  ...overrides,
});

export const makeSpec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  enabled: true,
  errorRate: 0,
  error: { kind: 'status', status: 503 },
  latency: { baseMs: 0, jitterMs: 0, rate: 1 },
  failFirst: 0,
  schedule: [],
  seed: 1,
  ...overrides,
});

export const makeFaultChanged = (overrides: Partial<TelemetryOf<'fault.changed'>> = {}): TelemetryOf<'fault.changed'> => ({
  ...base,
  type: 'fault.changed',
  point: 'payments',
  spec: makeSpec(),
  ...overrides,
});

export const makeParamsChanged = (overrides: Partial<TelemetryOf<'params.changed'>> = {}): TelemetryOf<'params.changed'> => ({
  ...base,
  type: 'params.changed',
  params: {},
  restarted: true,
  ...overrides,
});

export const makeLoadProgress = (overrides: Partial<TelemetryOf<'load.progress'>> = {}): TelemetryOf<'load.progress'> => ({
  ...base,
  type: 'load.progress',
  sent: 10,
  completed: 9,
  inFlight: 1,
  elapsedMs: 500,
  done: false,
  ...overrides,
});

/** Any event, for types the kit does not declare and no maker above builds (a pattern's own, like `retry.summary`). */
export const makeCustom = (type: string, fields: Record<string, unknown> = {}, t = 0): TelemetryEvent =>
  ({ ...base, t, type, ...fields }) as unknown as TelemetryEvent;

/** Events at increasing times: `at(100, makeRequest())`. */
export const at = <E extends TelemetryEvent>(t: number, event: E): E => ({ ...event, t });
