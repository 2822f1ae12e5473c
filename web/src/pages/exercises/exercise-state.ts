/**
 * The exercise page's decisions, kept pure so they are unit-tested in node:
 * which code the editor starts from, the learner's copy kept in this browser,
 * check results grouped by task, how a result is summed up, and how a
 * solution viewed before solving shows in the progress.
 */
import type { CheckOutcome, CheckResults, ExerciseInstructions, ExerciseStatus } from '../../../../server/protocol/api.ts';

/** What a check run returns, without the progress the check route adds (a stored attempt has neither). */
export type ResultsShape = Pick<CheckResults, 'status' | 'tests' | 'durationMs'> & Partial<Pick<CheckResults, 'message' | 'file' | 'line' | 'column'>>;

/** The learner's code as this browser keeps it: a fallback for when a draft could not reach the workbench. */
export interface LocalDraft {
  code: string;
  savedAt: number;
  /** True once the workbench holds the same code (the PUT succeeded). */
  synced: boolean;
}

export type CodeSource = 'local' | 'draft' | 'attempt' | 'starter';

/**
 * The code the editor starts from: the copy in this browser when it never
 * reached the workbench, else the workbench's draft, else the last checked
 * code, else the starter.
 */
export const initialCode = (
  exercise: Pick<ExerciseInstructions, 'starter' | 'draft' | 'lastAttempt'>,
  local: LocalDraft | undefined,
): { code: string; source: CodeSource } => {
  const server = exercise.draft?.code ?? exercise.lastAttempt?.code;
  if (local && !local.synced && local.code !== server) return { code: local.code, source: 'local' };
  if (exercise.draft) return { code: exercise.draft.code, source: 'draft' };
  if (exercise.lastAttempt) return { code: exercise.lastAttempt.code, source: 'attempt' };
  return { code: exercise.starter, source: 'starter' };
};

export const localDraftKey = (exerciseId: string): string => `workbench.exercise.${exerciseId}.code`;

/** A stored local draft, or undefined when there is none or it is not one (an old or hand-edited value). */
export const parseLocalDraft = (raw: string | null): LocalDraft | undefined => {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<LocalDraft>;
    if (typeof value.code !== 'string' || typeof value.savedAt !== 'number') return undefined;
    return { code: value.code, savedAt: value.savedAt, synced: value.synced === true };
  } catch {
    return undefined;
  }
};

/** The tasks whose checks all pass (a task without checks never counts). */
export const tasksPassedOf = (tests: readonly CheckOutcome[], taskNumbers: readonly number[]): number[] =>
  taskNumbers.filter((n) => {
    const checks = tests.filter((t) => t.task === n);
    return checks.length > 0 && checks.every((t) => t.status === 'pass');
  });

/** The results stored with the last attempt, if they look like results. */
export const storedResults = (results: unknown): ResultsShape | undefined => {
  if (results === null || typeof results !== 'object') return undefined;
  const r = results as Partial<ResultsShape>;
  if ((r.status !== 'pass' && r.status !== 'fail' && r.status !== 'error') || !Array.isArray(r.tests)) return undefined;
  return { durationMs: 0, ...r } as ResultsShape;
};

export interface TaskGroup {
  /** The task number; 0 for checks naming a task the exercise does not have. */
  task: number;
  title: string;
  checks: CheckOutcome[];
  passed: boolean;
}

/** The checks grouped under their tasks, in task order; checks of an unknown task come last. */
export const groupByTask = (tasks: ReadonlyArray<{ number: number; title: string }>, tests: readonly CheckOutcome[]): TaskGroup[] => {
  const known = new Set(tasks.map((t) => t.number));
  const groups: TaskGroup[] = tasks.map((task) => {
    const checks = tests.filter((t) => t.task === task.number);
    return { task: task.number, title: task.title, checks, passed: checks.length > 0 && checks.every((c) => c.status === 'pass') };
  });
  const others = tests.filter((t) => !known.has(t.task));
  if (others.length > 0) groups.push({ task: 0, title: 'Other checks', checks: others, passed: others.every((c) => c.status === 'pass') });
  return groups.filter((g) => g.checks.length > 0 || g.task !== 0);
};

/** One line for the results' header: "All 4 checks pass", "1 of 4 checks pass", or the error. */
export const summarise = (results: ResultsShape): string => {
  const total = results.tests.length;
  const passed = results.tests.filter((t) => t.status === 'pass').length;
  if (results.status === 'error') return results.message ?? 'Your code could not be checked.';
  if (results.status === 'pass') return total === 1 ? 'The check passes' : `All ${total} checks pass`;
  if (total === 0) return 'No checks ran';
  return `${passed} of ${total} ${total === 1 ? 'check passes' : 'checks pass'}`;
};

/** "patterns/circuit-breaker/circuit-breaker.ts:243:33", or undefined when the result names no file. */
export const locationOf = (where: { file?: string; line?: number; column?: number }): string | undefined =>
  where.file ? [where.file, where.line, where.column].filter((part) => part !== undefined).join(':') : undefined;

/** The hints to show: the first `revealed` of each list. */
export const revealedHints = (hints: readonly string[], revealed: number): string[] => hints.slice(0, Math.max(0, revealed));

export const hintsKey = (exerciseId: string): string => `workbench.exercise.${exerciseId}.hints`;

/** Revealed hint counts by section (`general`, `1`, `2`…), as stored; anything unreadable is none. */
export const parseRevealed = (raw: string | null): Record<string, number> => {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] >= 0));
  } catch {
    return {};
  }
};

/** The exercise's progress as its page shows it: the status, and whether the solution was viewed before it was solved. */
export interface ShownProgress {
  status: ExerciseStatus;
  solutionViewed: boolean;
}

/**
 * How the progress notes a solution the learner viewed before solving the
 * exercise: "solved after viewing the solution" once solved, else "solution
 * viewed"; undefined when they did not view it (or only after solving it,
 * which the workbench does not note). An older server that sends no
 * `solutionViewed` counts as not viewed.
 */
export const solutionViewedNote = (status: ExerciseStatus, solutionViewed: boolean | undefined): string | undefined => {
  if (solutionViewed !== true) return undefined;
  return status === 'solved' ? 'solved after viewing the solution' : 'solution viewed';
};

/**
 * The progress once the solution was shown, as the workbench records it: a
 * new exercise becomes started, and `solutionViewed` is what the workbench
 * answered (false when the exercise was solved already).
 */
export const afterSolutionShown = (current: ShownProgress, solutionViewed: boolean): ShownProgress => ({
  status: current.status === 'new' ? 'started' : current.status,
  solutionViewed,
});
