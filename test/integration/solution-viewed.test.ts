/**
 * "Solution viewed" in the exercise's progress, through the API:
 *  - viewing the solution before solving is recorded and served: on the
 *    exercise, in the pattern's list and the full list, and with the
 *    solution itself; it stays through a solving check run;
 *  - viewing it after solving is not noted (a comparison, not help);
 *  - the answers keep every field they had (the new one is only added), and a
 *    progress file still round-trips.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { PATTERN, ROOT_DIR, SLOW, startTestWorkbench, type TestWorkbench } from './helpers.ts';

const VIEWED_FIRST = 'circuit-breaker.02-limit-half-open-probes';
const EXERCISES = loadExercises(join(ROOT_DIR, 'exercises')).exercises;
const SOLUTION = EXERCISES.find((e) => e.id === VIEWED_FIRST)!.solution;
const SOLVED_FIRST = EXERCISES.find((e) => e.patternId === PATTERN && e.id !== VIEWED_FIRST)!.id;

const path = (id: string, rest = '') => `/api/exercises/${encodeURIComponent(id)}${rest}`;

describe('solution viewed', () => {
  let tw: TestWorkbench;
  beforeAll(async () => {
    tw = await startTestWorkbench();
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  const listed = async (id: string) => {
    const forPattern = (await tw.api('GET', `/api/patterns/${PATTERN}/exercises`)).body as Array<Record<string, unknown>>;
    const all = (await tw.api('GET', '/api/exercises')).body as Array<Record<string, unknown>>;
    const fromPattern = forPattern.find((e) => e.id === id)!;
    expect(all.find((e) => e.id === id)).toEqual(fromPattern);
    return fromPattern;
  };

  it('lists every exercise as not viewed at first, beside the fields the list always had', async () => {
    const list = (await tw.api('GET', '/api/exercises')).body as Array<Record<string, unknown>>;
    expect(list.length).toBeGreaterThan(1);
    for (const e of list) {
      expect(Object.keys(e).sort()).toEqual(['difficulty', 'file', 'id', 'patternId', 'solutionViewed', 'status', 'tasks', 'tasksPassed', 'title']);
      expect(e).toMatchObject({ status: 'new', tasksPassed: [], solutionViewed: false });
    }
    const detail = await tw.api('GET', path(VIEWED_FIRST));
    expect(detail.body).toMatchObject({ status: 'new', solutionViewed: false, progress: null });
  });

  it('records a solution viewed before solving, and keeps it once a check run solves the exercise', async () => {
    const solution = await tw.api('GET', path(VIEWED_FIRST, '/solution'));
    expect(solution.status, solution.text).toBe(200);
    expect(solution.body).toEqual({ file: 'circuit-breaker.ts', content: SOLUTION, solutionViewed: true });

    expect(await listed(VIEWED_FIRST)).toMatchObject({ status: 'started', solutionViewed: true });
    const detail = (await tw.api('GET', path(VIEWED_FIRST))).body;
    expect(detail).toMatchObject({ status: 'started', solutionViewed: true, progress: { solutionViewed: true, attempts: 0 } });

    // Viewing it again changes nothing.
    expect((await tw.api('GET', path(VIEWED_FIRST, '/solution'))).body.solutionViewed).toBe(true);

    const check = await tw.api('POST', path(VIEWED_FIRST, '/check'), { code: SOLUTION });
    expect(check.status, check.text).toBe(200);
    expect(check.body.status).toBe('pass');
    expect(check.body.progress).toMatchObject({ status: 'solved', solutionViewed: true });
    expect(await listed(VIEWED_FIRST)).toMatchObject({ status: 'solved', solutionViewed: true });
  }, SLOW);

  it('does not note a solution viewed after the exercise was solved', async () => {
    const exported = (await tw.api('GET', '/api/progress')).body;
    const imported = await tw.api('POST', '/api/progress', {
      ...exported,
      progress: [{ exerciseId: SOLVED_FIRST, status: 'solved', tasksPassed: [1], attempts: 1, solvedAt: 1, solutionViewed: false, updatedAt: 1 }],
      drafts: [],
    });
    expect(imported.status, imported.text).toBe(200);
    expect(await listed(SOLVED_FIRST)).toMatchObject({ status: 'solved', solutionViewed: false });

    const solution = await tw.api('GET', path(SOLVED_FIRST, '/solution'));
    expect(solution.status, solution.text).toBe(200);
    expect(solution.body.solutionViewed).toBe(false);
    expect(await listed(SOLVED_FIRST)).toMatchObject({ status: 'solved', solutionViewed: false });
    expect((await tw.api('GET', path(SOLVED_FIRST))).body).toMatchObject({ solutionViewed: false, progress: { status: 'solved', solutionViewed: false } });
  });

  it('exports the record and imports it back (an import never clears it)', async () => {
    const exported = (await tw.api('GET', '/api/progress')).body;
    expect(exported.progress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ exerciseId: VIEWED_FIRST, solutionViewed: true }),
        expect.objectContaining({ exerciseId: SOLVED_FIRST, solutionViewed: false }),
      ]),
    );
    const cleared = { ...exported, progress: exported.progress.map((p: Record<string, unknown>) => ({ ...p, solutionViewed: false })) };
    const res = await tw.api('POST', '/api/progress', cleared);
    expect(res.status, res.text).toBe(200);
    expect(await listed(VIEWED_FIRST)).toMatchObject({ status: 'solved', solutionViewed: true });
  });
});
