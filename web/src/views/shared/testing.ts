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

export const makeCircuitState = (overrides: Partial<TelemetryOf<'circuit.state'>> = {}): TelemetryOf<'circuit.state'> => ({
  ...base,
  type: 'circuit.state',
  name: 'payments',
  from: 'closed',
  to: 'open',
  reason: 'failure-threshold',
  ...overrides,
});

export const makeRetryAttempt = (overrides: Partial<TelemetryOf<'retry.attempt'>> = {}): TelemetryOf<'retry.attempt'> => ({
  ...base,
  type: 'retry.attempt',
  requestId: 'req-1',
  attempt: 1,
  delayMs: 100,
  error: 'HTTP 503',
  ...overrides,
});

export const makeRetryGiveup = (overrides: Partial<TelemetryOf<'retry.giveup'>> = {}): TelemetryOf<'retry.giveup'> => ({
  ...base,
  type: 'retry.giveup',
  requestId: 'req-1',
  attempts: 3,
  error: 'HTTP 503',
  ...overrides,
});

export const makePublished = (overrides: Partial<TelemetryOf<'event.published'>> = {}): TelemetryOf<'event.published'> => ({
  ...base,
  type: 'event.published',
  eventId: 'evt-1',
  name: 'user.created',
  ...overrides,
});

export const makeHandled = (overrides: Partial<TelemetryOf<'event.handled'>> = {}): TelemetryOf<'event.handled'> => ({
  ...base,
  type: 'event.handled',
  eventId: 'evt-1',
  handler: 'send-welcome-email',
  ok: true,
  durationMs: 10,
  attempt: 1,
  ...overrides,
});

export const makeDeadLetter = (overrides: Partial<TelemetryOf<'event.deadletter'>> = {}): TelemetryOf<'event.deadletter'> => ({
  ...base,
  type: 'event.deadletter',
  eventId: 'evt-1',
  handler: 'send-welcome-email',
  attempts: 3,
  error: 'email answered 503',
  ...overrides,
});

export const makeRateLimit = (overrides: Partial<TelemetryOf<'ratelimit'>> = {}): TelemetryOf<'ratelimit'> => ({
  ...base,
  type: 'ratelimit',
  key: 'client-0',
  allowed: true,
  remaining: 9,
  limit: 10,
  algorithm: 'fixed-window',
  ...overrides,
});

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

/** Any event, for types the kit does not declare (a pattern's own, like `retry.summary`). */
export const makeCustom = (type: string, fields: Record<string, unknown> = {}, t = 0): TelemetryEvent =>
  ({ ...base, t, type, ...fields }) as unknown as TelemetryEvent;

/** Events at increasing times: `at(100, makeRequest())`. */
export const at = <E extends TelemetryEvent>(t: number, event: E): E => ({ ...event, t });
