/**
 * The exercises API: list, read, check the learner's code, solution, drafts, progress export/import.
 * Typed by the protocol like the rest of the API (`ApiRoute`, server/protocol/api.ts).
 */
import { z } from 'zod';
import type { Exercise } from '../exercises/catalog.ts';
import { RunnerBusyError, type ExerciseRunner } from '../exercises/runner.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import type { ExerciseSummary } from '../protocol/api.ts';
import type { Store } from '../store/store.ts';
import { HttpError, notFound, parseOr400 } from './errors.ts';
import { route, type ApiRoute } from './routes.ts';

/** The most code one draft or attempt may hold. */
const MAX_CODE_CHARS = 500_000;

const codeSchema = z.object({ code: z.string().max(MAX_CODE_CHARS) }).strict();

/**
 * A progress file as GET /api/progress exports it. What it may hold is bounded by the
 * exercises this workbench has: at most one entry and one draft each (checked by the route),
 * so an import cannot grow the database beyond what the learner could have typed here.
 */
const progressImportSchema = z
  .object({
    format: z.literal('patterns-workbench-progress'),
    version: z.literal(1),
    exportedAt: z.string().max(100),
    progress: z.array(
      z
        .object({
          exerciseId: z.string().min(1).max(200),
          status: z.enum(['started', 'solved']),
          tasksPassed: z.array(z.number().int().positive().max(1000)).max(100),
          attempts: z.number().int().min(0),
          solvedAt: z.number().nullable(),
          solutionViewed: z.boolean(),
          updatedAt: z.number(),
        })
        .strict(),
    ),
    drafts: z.array(
      z.object({ exerciseId: z.string().min(1).max(200), code: z.string().max(MAX_CODE_CHARS), updatedAt: z.number() }).strict(),
    ),
  })
  .strict();

/** The largest progress file accepted: room for a full draft of a dozen exercises. */
const PROGRESS_IMPORT_LIMIT_BYTES = 8 << 20;

export interface ExerciseServices {
  exercises: Exercise[];
  runner: ExerciseRunner;
  store: Store;
  registry: PatternRegistry;
}

export const createExerciseRoutes = ({ exercises, runner, store, registry }: ExerciseServices): ApiRoute[] => {
  const byId = new Map(exercises.map((e) => [e.id, e]));
  const exercise = (id: string) => {
    const found = byId.get(id);
    if (!found) throw notFound(`exercise '${id}'`);
    return found;
  };
  const summary = (e: Exercise): ExerciseSummary => {
    const progress = store.progress.get(e.id);
    return {
      id: e.id,
      patternId: e.patternId,
      title: e.title,
      difficulty: e.difficulty,
      file: e.file,
      tasks: e.tasks.length,
      status: progress?.status ?? 'new',
      tasksPassed: progress?.tasksPassed ?? [],
      solutionViewed: progress?.solutionViewed ?? false,
    };
  };

  return [
    route('GET /api/patterns/:id/exercises', ({ params }) => {
      if (!registry.get(params.id!)) throw notFound(`pattern '${params.id}'`);
      return { body: exercises.filter((e) => e.patternId === params.id).map(summary) };
    }),
    route('GET /api/exercises', () => ({ body: exercises.map(summary) })),
    route('GET /api/exercises/:id', ({ params }) => {
      const e = exercise(params.id!);
      return {
        body: {
          ...summary(e),
          intro: e.intro,
          tasks: e.tasks,
          hints: e.hints,
          starter: e.starter,
          draft: store.progress.draft(e.id) ?? null,
          lastAttempt: store.progress.lastAttempt(e.id) ?? null,
          progress: store.progress.get(e.id) ?? null,
        },
      };
    }),
    route('POST /api/exercises/:id/check', async ({ params, body }) => {
      const e = exercise(params.id!);
      const { code } = parseOr400(codeSchema, body);
      let results;
      try {
        results = await runner.check(e, code);
      } catch (error) {
        if (error instanceof RunnerBusyError) throw new HttpError(429, error.message);
        throw error;
      }
      const tasksPassed = e.tasks
        .map((t) => t.number)
        .filter((n) => {
          const checks = results.tests.filter((t) => t.task === n);
          return checks.length > 0 && checks.every((t) => t.status === 'pass');
        });
      const progress = store.progress.recordAttempt({ exerciseId: e.id, code, status: results.status, results, tasksPassed });
      return { body: { ...results, tasksPassed, progress } };
    }),
    route('PUT /api/exercises/:id/draft', ({ params, body }) => {
      const e = exercise(params.id!);
      const { code } = parseOr400(codeSchema, body);
      store.progress.saveDraft(e.id, code);
      return { body: { saved: true } };
    }),
    route('GET /api/exercises/:id/solution', ({ params }) => {
      const e = exercise(params.id!);
      const progress = store.progress.markSolutionViewed(e.id);
      return { body: { file: e.file, content: e.solution, solutionViewed: progress.solutionViewed } };
    }),
    route('GET /api/progress', () => ({ body: store.progress.export() })),
    route('POST /api/progress', ({ body }) => {
      const data = parseOr400(progressImportSchema, body);
      // Nothing is imported unless all of it fits: an exercise this workbench has, once.
      for (const [field, ids] of [
        ['progress', data.progress.map((p) => p.exerciseId)],
        ['drafts', data.drafts.map((d) => d.exerciseId)],
      ] as const) {
        const unknown = [...new Set(ids.filter((id) => !byId.has(id)))];
        if (unknown.length > 0) {
          const shown = unknown.slice(0, 5).map((id) => `'${id.slice(0, 60)}'`).join(', ');
          throw new HttpError(400, `${field}: unknown exercises ${shown}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
        }
        const repeated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
        if (repeated.length > 0) throw new HttpError(400, `${field}: exercises listed more than once: ${repeated.slice(0, 5).join(', ')}`);
      }
      return { body: store.progress.import(data) };
    }, { bodyLimitBytes: PROGRESS_IMPORT_LIMIT_BYTES }),
  ];
};
