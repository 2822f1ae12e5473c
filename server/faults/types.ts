/** Types the fault layer shares with the run that hosts it. */
import type { FaultErrorKind } from '../../patterns/kit/faults.ts';

/**
 * One injected fault, as a transport reports it at the moment it takes effect;
 * the run turns it into a `fault.injected` telemetry event.
 */
export interface FaultInjection {
  point: string;
  /** `latency` when the call was delayed (it may fail afterwards too: then two reports). */
  kind: FaultErrorKind | 'latency';
  /** The HTTP status answered, for `status` and (over HTTP) `exception`. */
  status?: number;
  latencyMs?: number;
}
