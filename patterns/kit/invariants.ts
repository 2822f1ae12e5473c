/**
 * `ctx.invariant` as the run engine and the test context build it: a check
 * of a declared invariant that costs a Set lookup when it holds, and records
 * an `invariant.violated` event when it does not.
 */
import type { InvariantSpec } from './lab.ts';
import type { TelemetryInput } from './telemetry.ts';

export type InvariantCheck = (id: string, holds: boolean, detail?: string | (() => string)) => boolean;

/** Thrown at a `ctx.invariant` call naming an invariant the lab's manifest does not declare. */
export class UndeclaredInvariantError extends Error {
  override readonly name = 'UndeclaredInvariantError';

  constructor(
    readonly labId: string,
    readonly invariant: string,
    declared: readonly string[],
  ) {
    super(
      `lab '${labId}' checks invariant '${invariant}', which its manifest does not declare ` +
        `(declared: ${declared.length ? declared.map((d) => `'${d}'`).join(', ') : 'none'}); add it to the lab's \`invariants\` in pattern.ts`,
    );
  }
}

export interface InvariantCheckOptions {
  labId: string;
  invariants: readonly InvariantSpec[];
  emit: (event: TelemetryInput) => void;
  /** Told once per undeclared id, before the call throws (the engine reports it as `run.error`). */
  onUndeclared?: (error: UndeclaredInvariantError) => void;
}

export const makeInvariantCheck = ({ labId, invariants, emit, onUndeclared }: InvariantCheckOptions): InvariantCheck => {
  const declared = new Set(invariants.map((i) => i.id));
  const reported = new Set<string>();
  return (id, holds, detail) => {
    if (!declared.has(id)) {
      const error = new UndeclaredInvariantError(labId, id, [...declared]);
      if (!reported.has(id)) {
        reported.add(id);
        onUndeclared?.(error);
      }
      throw error;
    }
    if (holds) return true;
    const text = typeof detail === 'function' ? detail() : (detail ?? '');
    emit({ type: 'invariant.violated', invariant: id, detail: text });
    return false;
  };
};
