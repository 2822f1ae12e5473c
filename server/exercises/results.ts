/**
 * Check results, in the shape of Exercism's test runners: an overall status,
 * then each check with its name, task, status and a message a learner can
 * act on.
 */
export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckOutcome {
  name: string;
  task: number;
  status: CheckStatus;
  /** Expected vs actual, or what happened. */
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  durationMs: number;
}

export interface CheckResults {
  /** pass: every check passed; fail: some failed; error: the code did not compile, load or finish. */
  status: CheckStatus;
  /** For `error`: what went wrong, and where. */
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  tests: CheckOutcome[];
  durationMs: number;
}

/** Overall `error` is kept for a run that could not run at all; a check that errors fails the run. */
export const overall = (tests: CheckOutcome[]): CheckStatus =>
  tests.length > 0 && tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
