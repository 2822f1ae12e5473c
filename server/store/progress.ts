/**
 * Exercise attempts, drafts and progress. Progress only ever moves forward:
 * a solved exercise stays solved, and an import merges rather than replaces.
 * Attempts (each with the full code checked) are kept to the newest N per exercise.
 * Write transactions begin IMMEDIATE, as in the store (see BUSY_TIMEOUT_MS there).
 */
import type Database from 'better-sqlite3';

export type ProgressStatus = 'started' | 'solved';

export interface ExerciseProgress {
  exerciseId: string;
  status: ProgressStatus;
  tasksPassed: number[];
  attempts: number;
  solvedAt: number | null;
  /** The solution was shown before the exercise was solved (viewing it after solving is not noted). */
  solutionViewed: boolean;
  updatedAt: number;
}

export interface ProgressExport {
  format: 'patterns-workbench-progress';
  version: 1;
  exportedAt: string;
  progress: ExerciseProgress[];
  drafts: Array<{ exerciseId: string; code: string; updatedAt: number }>;
}

interface ProgressRow {
  exercise_id: string;
  status: ProgressStatus;
  tasks_passed: string;
  attempts: number;
  solved_at: number | null;
  solution_viewed: number;
  updated_at: number;
}

const toProgress = (row: ProgressRow): ExerciseProgress => ({
  exerciseId: row.exercise_id,
  status: row.status,
  tasksPassed: JSON.parse(row.tasks_passed) as number[],
  attempts: row.attempts,
  solvedAt: row.solved_at,
  solutionViewed: row.solution_viewed === 1,
  updatedAt: row.updated_at,
});

export class ProgressStore {
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Database.Database,
    options: { maxAttemptsPerExercise?: number } = {},
  ) {
    this.maxAttempts = options.maxAttemptsPerExercise ?? 50;
  }

  /** Records an attempt and moves the exercise's progress forward. */
  recordAttempt(input: { exerciseId: string; code: string; status: 'pass' | 'fail' | 'error'; results: unknown; tasksPassed: number[] }): ExerciseProgress {
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO exercise_attempts (exercise_id, code, status, results, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(input.exerciseId, input.code, input.status, JSON.stringify(input.results), now);
      this.db
        .prepare(
          'DELETE FROM exercise_attempts WHERE exercise_id = ? AND id NOT IN (SELECT id FROM exercise_attempts WHERE exercise_id = ? ORDER BY id DESC LIMIT ?)',
        )
        .run(input.exerciseId, input.exerciseId, this.maxAttempts);
      const before = this.get(input.exerciseId);
      const tasks = [...new Set([...(before?.tasksPassed ?? []), ...input.tasksPassed])].sort((a, b) => a - b);
      const solved = before?.status === 'solved' || input.status === 'pass';
      this.upsert({
        exerciseId: input.exerciseId,
        status: solved ? 'solved' : 'started',
        tasksPassed: tasks,
        attempts: (before?.attempts ?? 0) + 1,
        solvedAt: before?.solvedAt ?? (input.status === 'pass' ? now : null),
        solutionViewed: before?.solutionViewed ?? false,
        updatedAt: now,
      });
    }).immediate();
    return this.get(input.exerciseId)!;
  }

  /** Keeps the newest attempts of every exercise within the bound; returns how many went. */
  pruneAttempts(): number {
    return this.db
      .prepare(
        `DELETE FROM exercise_attempts WHERE id IN (
           SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY exercise_id ORDER BY id DESC) AS newer FROM exercise_attempts)
           WHERE newer > ?)`,
      )
      .run(this.maxAttempts).changes;
  }

  attemptCount(exerciseId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM exercise_attempts WHERE exercise_id = ?').get(exerciseId) as { n: number }).n;
  }

  /**
   * Notes that the learner was shown the solution, unless they had solved the
   * exercise already: looking at it afterwards is a comparison, not help.
   * Returns the progress as it now stands.
   */
  markSolutionViewed(exerciseId: string): ExerciseProgress {
    const before = this.get(exerciseId);
    if (before && (before.status === 'solved' || before.solutionViewed)) return before;
    this.upsert({
      exerciseId,
      status: before?.status ?? 'started',
      tasksPassed: before?.tasksPassed ?? [],
      attempts: before?.attempts ?? 0,
      solvedAt: before?.solvedAt ?? null,
      solutionViewed: true,
      updatedAt: Date.now(),
    });
    return this.get(exerciseId)!;
  }

  get(exerciseId: string): ExerciseProgress | undefined {
    const row = this.db.prepare('SELECT * FROM exercise_progress WHERE exercise_id = ?').get(exerciseId) as ProgressRow | undefined;
    return row && toProgress(row);
  }

  all(): ExerciseProgress[] {
    return (this.db.prepare('SELECT * FROM exercise_progress ORDER BY exercise_id').all() as ProgressRow[]).map(toProgress);
  }

  lastAttempt(exerciseId: string): { code: string; status: string; results: unknown; createdAt: number } | undefined {
    const row = this.db
      .prepare('SELECT code, status, results, created_at FROM exercise_attempts WHERE exercise_id = ? ORDER BY id DESC LIMIT 1')
      .get(exerciseId) as { code: string; status: string; results: string; created_at: number } | undefined;
    return row && { code: row.code, status: row.status, results: JSON.parse(row.results) as unknown, createdAt: row.created_at };
  }

  saveDraft(exerciseId: string, code: string): void {
    this.db
      .prepare(
        'INSERT INTO exercise_drafts (exercise_id, code, updated_at) VALUES (?, ?, ?) ON CONFLICT (exercise_id) DO UPDATE SET code = excluded.code, updated_at = excluded.updated_at',
      )
      .run(exerciseId, code, Date.now());
  }

  draft(exerciseId: string): { code: string; updatedAt: number } | undefined {
    const row = this.db.prepare('SELECT code, updated_at FROM exercise_drafts WHERE exercise_id = ?').get(exerciseId) as
      | { code: string; updated_at: number }
      | undefined;
    return row && { code: row.code, updatedAt: row.updated_at };
  }

  deleteDraft(exerciseId: string): void {
    this.db.prepare('DELETE FROM exercise_drafts WHERE exercise_id = ?').run(exerciseId);
  }

  export(): ProgressExport {
    const drafts = this.db.prepare('SELECT exercise_id, code, updated_at FROM exercise_drafts ORDER BY exercise_id').all() as Array<{
      exercise_id: string;
      code: string;
      updated_at: number;
    }>;
    return {
      format: 'patterns-workbench-progress',
      version: 1,
      exportedAt: new Date().toISOString(),
      progress: this.all(),
      drafts: drafts.map((d) => ({ exerciseId: d.exercise_id, code: d.code, updatedAt: d.updated_at })),
    };
  }

  /** Merges an export: solved wins over started, passed tasks add up, the newer draft wins. */
  import(data: ProgressExport): { progress: number; drafts: number } {
    let drafts = 0;
    this.db.transaction(() => {
      for (const incoming of data.progress) {
        const current = this.get(incoming.exerciseId);
        const solved = current?.status === 'solved' || incoming.status === 'solved';
        const solvedAts = [current?.solvedAt, incoming.solvedAt].filter((t): t is number => typeof t === 'number');
        this.upsert({
          exerciseId: incoming.exerciseId,
          status: solved ? 'solved' : 'started',
          tasksPassed: [...new Set([...(current?.tasksPassed ?? []), ...incoming.tasksPassed])].sort((a, b) => a - b),
          attempts: Math.max(current?.attempts ?? 0, incoming.attempts),
          solvedAt: solved && solvedAts.length > 0 ? Math.min(...solvedAts) : null,
          solutionViewed: Boolean(current?.solutionViewed || incoming.solutionViewed),
          updatedAt: Math.max(current?.updatedAt ?? 0, incoming.updatedAt),
        });
      }
      for (const draft of data.drafts) {
        const current = this.draft(draft.exerciseId);
        if (!current || current.updatedAt < draft.updatedAt) {
          this.db
            .prepare(
              'INSERT INTO exercise_drafts (exercise_id, code, updated_at) VALUES (?, ?, ?) ON CONFLICT (exercise_id) DO UPDATE SET code = excluded.code, updated_at = excluded.updated_at',
            )
            .run(draft.exerciseId, draft.code, draft.updatedAt);
          drafts++;
        }
      }
    }).immediate();
    return { progress: data.progress.length, drafts };
  }

  private upsert(p: ExerciseProgress): void {
    this.db
      .prepare(
        `INSERT INTO exercise_progress (exercise_id, status, tasks_passed, attempts, solved_at, solution_viewed, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (exercise_id) DO UPDATE SET status = excluded.status, tasks_passed = excluded.tasks_passed,
           attempts = excluded.attempts, solved_at = excluded.solved_at, solution_viewed = excluded.solution_viewed,
           updated_at = excluded.updated_at`,
      )
      .run(p.exerciseId, p.status, JSON.stringify(p.tasksPassed), p.attempts, p.solvedAt, p.solutionViewed ? 1 : 0, p.updatedAt);
  }
}
