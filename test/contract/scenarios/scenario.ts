/**
 * The shape of an invariant scenario: a lesson's finding reproduced on virtual
 * time. The exercise's starter (the implementation with the flaw put back)
 * breaks `invariant`; the reference, on the same seed, load and faults, breaks
 * nothing. Each pattern's scenarios are a file of this folder named after it,
 * exporting `scenarios`; `../invariants.test.ts` runs every one it finds.
 */
import type { FaultSpec, LoadProfile } from '../../../patterns/kit/index.ts';
import { healthySpec } from '../../../patterns/kit/index.ts';

/** A fault spec that is on, with these fields. */
export const fault = (overrides: Partial<FaultSpec>): FaultSpec => ({ ...healthySpec(), enabled: true, ...overrides });

export interface Step {
  atMs: number;
  point: string;
  spec: FaultSpec;
}

export interface Scenario {
  pattern: string;
  lab: string;
  exercise: string;
  /** The invariant the starter's flaw breaks. */
  invariant: string;
  load: LoadProfile;
  params?: Record<string, number | string | boolean>;
  faults: Step[];
  untilMs: number;
}
