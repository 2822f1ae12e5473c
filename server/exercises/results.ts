/**
 * Check results (their types are the API's, server/protocol/api.ts): an
 * overall status from each check's.
 */
import type { CheckOutcome, CheckStatus } from '../protocol/api.ts';

export type { CheckOutcome, CheckRun, CheckStatus } from '../protocol/api.ts';

/** Overall `error` is kept for a run that could not run at all; a check that errors fails the run. */
export const overall = (tests: CheckOutcome[]): CheckStatus =>
  tests.length > 0 && tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
