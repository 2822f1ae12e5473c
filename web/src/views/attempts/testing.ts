/**
 * Test events for the attempts view: the retry labs' wait and give-up events
 * (`retry.attempt`, `retry.giveup`), declared by their pattern, not the kit,
 * so built loosely here.
 */
import type { AttemptsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { makeCustom } from '../shared/testing.ts';

/** The retry labs' spec, as patterns/retry-backoff/views.ts has it. */
export const retrySpec: AttemptsViewSpec = {
  kind: 'attempts',
  title: 'Retries',
  wait: { event: 'retry.attempt', requestField: 'requestId', delayField: 'delayMs', attemptField: 'attempt', errorField: 'error' },
  giveUp: { event: 'retry.giveup', requestField: 'requestId' },
};

export interface RetryWait {
  requestId?: string;
  attempt?: number;
  delayMs?: number;
  error?: string;
  t?: number;
}

/** A `retry.attempt`: the request waits `delayMs` before trying again. */
export const makeRetryWait = ({ t = 0, ...fields }: RetryWait = {}): TelemetryEvent =>
  makeCustom('retry.attempt', { requestId: 'req-1', attempt: 1, delayMs: 100, error: 'HTTP 503', ...fields }, t);

/** A `retry.giveup`: the request stops retrying. */
export const makeRetryGiveUp = ({ t = 0, ...fields }: { requestId?: string; attempts?: number; t?: number } = {}): TelemetryEvent =>
  makeCustom('retry.giveup', { requestId: 'req-1', attempts: 3, error: 'HTTP 503', ...fields }, t);
