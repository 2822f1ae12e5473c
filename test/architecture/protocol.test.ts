/**
 * One protocol (server/protocol/api.ts): the server's route tables are typed by it, so a handler
 * answering with another shape than the protocol says, or a route the protocol does not list, is
 * a type error; and the web client answers with the protocol's types.
 *
 * Mostly type-level: `npm run typecheck` (tsc over this file) is what proves it. The
 * `@ts-expect-error` lines fail the type check if the drift they hold ever compiles; the
 * `expectTypeOf` lines fail it if the tables or the client stop being typed by the protocol.
 * One check runs: the tables serve exactly the routes the protocol lists (types cannot see a
 * route missing from an array).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  ApiResult,
  ApiRouteKey,
  ApiRoutes,
  EventsPage,
  ExerciseSummary,
  RestoreVersionRequest,
  RunDetail,
  SaveFileRequest,
  SaveResult,
  StartRunRequest,
} from '../../server/protocol/api.ts';
import type { restoreVersionSchema, saveFileSchema, startRunSchema } from '../../server/http/schemas.ts';
import { createExerciseRoutes } from '../../server/http/exercise-routes.ts';
import { createRoutes, route, type ApiRoute, type Route } from '../../server/http/routes.ts';
import type { api } from '../../web/src/api/client.ts';

const run: RunDetail = { id: 'r1', patternId: 'p', lab: 'l', state: 'running', live: true, seed: 1, startedAt: 0 };

describe('the protocol types the routes and the client', () => {
  it('lists exactly the routes the server serves', () => {
    // Every key of ApiRoutes, once: a key missing here or not in the protocol does not compile.
    const protocol: Record<ApiRouteKey, true> = {
      'GET /api/patterns': true,
      'GET /api/patterns/:id': true,
      'GET /api/patterns/:id/sources': true,
      'GET /api/patterns/:id/files/:file': true,
      'PUT /api/patterns/:id/files/:file': true,
      'GET /api/patterns/:id/files/:file/reference': true,
      'POST /api/patterns/:id/files/:file/reset': true,
      'GET /api/patterns/:id/files/:file/versions': true,
      'GET /api/patterns/:id/files/:file/versions/:version': true,
      'POST /api/patterns/:id/files/:file/restore': true,
      'GET /api/runs': true,
      'POST /api/runs': true,
      'GET /api/runs/:id': true,
      'DELETE /api/runs/:id': true,
      'GET /api/runs/:id/events': true,
      'PUT /api/runs/:id/faults/:point': true,
      'PUT /api/runs/:id/load': true,
      'PUT /api/runs/:id/params': true,
      'GET /api/patterns/:id/exercises': true,
      'GET /api/exercises': true,
      'GET /api/exercises/:id': true,
      'POST /api/exercises/:id/check': true,
      'PUT /api/exercises/:id/draft': true,
      'GET /api/exercises/:id/solution': true,
      'GET /api/progress': true,
      'POST /api/progress': true,
    };
    // Building the tables calls no service: handlers only close over them.
    const served = [
      ...createRoutes({ registry: {}, store: {}, runs: {}, code: {} } as never),
      ...createExerciseRoutes({ exercises: [], runner: {}, store: {}, registry: {} } as never),
    ].map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(served.toSorted()).toEqual(Object.keys(protocol).toSorted());
  });

  it('types both route tables by the protocol, and the adapter serves them', () => {
    expectTypeOf<ReturnType<typeof createRoutes>>().toEqualTypeOf<ApiRoute[]>();
    expectTypeOf<ReturnType<typeof createExerciseRoutes>>().toEqualTypeOf<ApiRoute[]>();
    expectTypeOf<ApiRoute>().toExtend<Route>();
  });

  it('accepts a handler answering with the protocol’s body, or an error', () => {
    const routes: ApiRoute[] = [
      route('GET /api/runs/:id', () => ({ body: run })),
      route('GET /api/runs/:id', () => ({ status: 404, body: { error: { status: 404, message: 'no run' } } })),
      route('POST /api/runs', async () => ({ status: 201, body: { runId: 'r1' } })),
      { method: 'delete', path: '/api/runs/:id', handler: () => ({ body: { runId: 'r1', state: 'stopped' } }) },
    ];
    expectTypeOf(routes).toEqualTypeOf<ApiRoute[]>();
    expectTypeOf(route('GET /api/runs/:id', () => ({ body: run }))).toEqualTypeOf<ApiRoute<'GET /api/runs/:id'>>();
  });

  it('rejects a drift', () => {
    const drifted: ApiRoute[] = [
      // @ts-expect-error the body lacks most of RunDetail
      route('GET /api/runs/:id', () => ({ body: { id: 'r1', state: 'running' } })),
      // @ts-expect-error `lastSeq` is a number in EventsPage
      route('GET /api/runs/:id/events', () => ({ body: { events: [], firstSeq: null, lastSeq: 'none', more: false, stored: null } })),
      // @ts-expect-error an error status answers in the error shape
      route('DELETE /api/runs/:id', () => ({ status: 409, body: { runId: 'r1', state: 'stopped' } })),
      // @ts-expect-error a route the protocol does not list
      route('GET /api/nowhere', () => ({ body: null })),
      // @ts-expect-error a method the protocol does not list for that path
      route('PUT /api/exercises', () => ({ body: [] })),
      {
        method: 'get',
        path: '/api/runs/:id',
        // @ts-expect-error a table entry written without route() is checked too
        handler: () => ({ body: { id: 'r1', state: 'running' } }),
      },
      // @ts-expect-error a route the protocol does not list, without route()
      { method: 'get', path: '/api/nowhere', handler: () => ({ body: null }) },
    ];
    expectTypeOf(drifted).toEqualTypeOf<ApiRoute[]>();
    // @ts-expect-error a 200 is the route's own body, not any other route's
    const wrongBody: ApiResult<'GET /api/exercises'> = { body: run };
    void wrongBody;
  });

  it('declares the request bodies the server’s schemas accept', () => {
    expectTypeOf<z.output<typeof saveFileSchema>>().toEqualTypeOf<SaveFileRequest>();
    expectTypeOf<z.output<typeof restoreVersionSchema>>().toEqualTypeOf<RestoreVersionRequest>();
    expectTypeOf<z.output<typeof startRunSchema>>().toExtend<StartRunRequest>();
    expectTypeOf<StartRunRequest>().toExtend<z.input<typeof startRunSchema>>();
  });

  it('gives the web client the protocol’s types', () => {
    expectTypeOf<Awaited<ReturnType<typeof api.run>>>().toEqualTypeOf<RunDetail>();
    expectTypeOf<Awaited<ReturnType<typeof api.events>>>().toEqualTypeOf<EventsPage>();
    expectTypeOf<Awaited<ReturnType<typeof api.saveFile>>>().toEqualTypeOf<SaveResult>();
    expectTypeOf<Awaited<ReturnType<typeof api.exercises>>>().toEqualTypeOf<ExerciseSummary[]>();
    expectTypeOf<Awaited<ReturnType<typeof api.exportProgress>>>().toEqualTypeOf<ApiRoutes['GET /api/progress']>();
  });
});
