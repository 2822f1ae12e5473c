import type { Tone, ViewSpecBase } from './common.ts';

/**
 * A state machine (a circuit breaker's, a job's): its states and transitions
 * drawn as a diagram with the current state lit, per machine name; a band of
 * states along the run; and the recent transitions with their reasons.
 */
export interface StateMachineViewSpec extends ViewSpecBase {
  kind: 'state-machine';
  /** The event that reports a transition, e.g. `circuit.state`. */
  event: string;
  /** Fields of that event. Defaults: `from`, `to`, `reason`; no `name` means one machine. */
  fields?: { name?: string; from?: string; to?: string; reason?: string };
  /** The state every machine starts in, before its first transition. */
  initial: string;
  /**
   * Machines drawn from the start, in `initial`, before they report anything
   * (the circuit `payments`); others appear with their first transition.
   * Without a `name` field the one machine is always drawn.
   */
  machines?: string[];
  /**
   * Every state, placed on a small grid (`at: [column, row]`, from 0) so the
   * diagram reads like the lesson's. `optional` states are drawn only once a
   * machine has been in them.
   */
  states: Array<{ id: string; label: string; tone: Tone; at: [number, number]; optional?: boolean; description?: string }>;
  /** The expected transitions, drawn whether used yet or not; others appear when they happen. */
  transitions: Array<{ from: string; to: string; label: string }>;
  /**
   * Inbound request counters beside the machine, as the Hystrix dashboard
   * shows them: success, failure, rejected, timeout over the run and the
   * last 10 s, the error share and a requests-per-second sparkline.
   */
  requestCounters?: boolean;
  /**
   * Outbound calls (`request` events) made while a machine is in `state`, and
   * how they ended: the half-open probes. With a `name` field, a machine
   * counts the calls whose `target` is its name (a circuit is named after the
   * downstream it guards); without one, it counts every call.
   */
  callsIn?: { state: string; label: string };
  /** What to say before the first transition. */
  emptyText?: string;
}
