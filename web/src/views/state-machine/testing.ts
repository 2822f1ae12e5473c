/** Event and spec builders for the state-machine view's tests. */
import { circuitView } from '../../../../patterns/circuit-breaker/views.ts';
import type { StateMachineViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';

/** A pattern's transition event, read loosely as the view does: `makeTransition('circuit.state', { name, from, to })`. */
export const makeTransition = (type: string, fields: Record<string, unknown>, t = 0): TelemetryEvent =>
  ({ t, runId: 'run-1', seq: 0, type, ...fields }) as unknown as TelemetryEvent;

/** The circuit breaker's transition event, as its lab emits it. */
export const makeCircuitTransition = (fields: { name?: string; from?: string; to?: string; reason?: string } = {}, t = 0): TelemetryEvent =>
  makeTransition('circuit.state', { name: 'payments', from: 'closed', to: 'open', reason: 'failure-threshold', ...fields }, t);

/** The payments lab's spec, as its manifest lists it. */
export const circuitSpec = (): StateMachineViewSpec => {
  if (circuitView.kind !== 'state-machine') throw new Error('the circuit view is a state machine');
  return circuitView;
};
