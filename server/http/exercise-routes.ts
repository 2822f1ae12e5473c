/** The exercises API: list, read, check the learner's code, solution, drafts, progress export/import. */
import { z } from 'zod';
import type { Exercise } from '../exercises/catalog.ts';
import type { ExerciseRunner } from '../exercises/runner.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import type { Store } from '../store/store.ts';
import { HttpError, notFound, parseOr400 } from './errors.ts';
import type { Route } from './routes.ts';

const codeSchema = z.object({ code: z.string().max(500_000) }).strict();

const progressImportSchema = z
  .object({
    format: z.literal('patterns-workbench-progress'),
    version: z.literal(1),
    exportedAt: z.string(),
    progress: z.array(
      z.object({
        exerciseId: z.string().min(1),
        status: z.enum(['started', 'solved']),
        tasksPassed: z.array(z.number().int().positive()),
        attempts: z.number().int().min(0),
        solvedAt: z.number().nullable(),
        solutionViewed: z.boolean(),
        updatedAt: z.number(),
      }),
    ),
    drafts: z.array(z.object({ exerciseId: z.string().min(1), code: z.string().max(500_000), updatedAt: z.number() })),
  })
  .strict();

export interface ExerciseServices {
  exercises: Exercise[];
  runner: ExerciseRunner;
  store: Store;
  registry: PatternRegistry;
}

export const createExerciseRoutes = ({ exercises, runner, store, registry }: ExerciseServices): Route[] => {
  const byId = new Map(exercises.map((e) => [e.id, e]));
  const exercise = (id: string) => {
    const found = byId.get(id);
    if (!found) throw notFound(`exercise '${id}'`);
    return found;
  };
  const summary = (e: Exercise) => {
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
    };
  };

  return [
    {
      method: 'get',
      path: '/api/patterns/:id/exercises',
      handler: ({ params }) => {
        if (!registry.get(params.id!)) throw notFound(`pattern '${params.id}'`);
        return { body: exercises.filter((e) => e.patternId === params.id).map(summary) };
      },
    },
    { method: 'get', path: '/api/exercises', handler: () => ({ body: exercises.map(summary) }) },
    {
      method: 'get',
      path: '/api/exercises/:id',
      handler: ({ params }) => {
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
      },
    },
    {
      method: 'post',
      path: '/api/exercises/:id/check',
      handler: async ({ params, body }) => {
        const e = exercise(params.id!);
        const { code } = parseOr400(codeSchema, body);
        const results = await runner.check(e, code);
        const tasksPassed = e.tasks
          .map((t) => t.number)
          .filter((n) => {
            const checks = results.tests.filter((t) => t.task === n);
            return checks.length > 0 && checks.every((t) => t.status === 'pass');
          });
        const progress = store.progress.recordAttempt({ exerciseId: e.id, code, status: results.status, results, tasksPassed });
        return { body: { ...results, tasksPassed, progress } };
      },
    },
    {
      method: 'put',
      path: '/api/exercises/:id/draft',
      handler: ({ params, body }) => {
        const e = exercise(params.id!);
        const { code } = parseOr400(codeSchema, body);
        store.progress.saveDraft(e.id, code);
        return { body: { saved: true } };
      },
    },
    {
      method: 'get',
      path: '/api/exercises/:id/solution',
      handler: ({ params }) => {
        const e = exercise(params.id!);
        store.progress.markSolutionViewed(e.id);
        return { body: { file: e.file, content: e.solution } };
      },
    },
    { method: 'get', path: '/api/progress', handler: () => ({ body: store.progress.export() }) },
    {
      method: 'post',
      path: '/api/progress',
      handler: ({ body }) => {
        const data = parseOr400(progressImportSchema, body);
        const unknown = data.progress.map((p) => p.exerciseId).filter((id) => !byId.has(id));
        if (unknown.length > 0) throw new HttpError(400, `progress: unknown exercises ${unknown.join(', ')}`);
        return { body: store.progress.import(data) };
      },
    },
  ];
};
