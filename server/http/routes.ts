/**
 * The HTTP API as one table of framework-free handlers: each takes the
 * parsed request and returns `{ status, body }`, or throws an HttpError.
 * Express appears only in the adapter (`express-adapter.ts`).
 *
 * The table is typed by the protocol (`ApiRoutes` in server/protocol/api.ts):
 * each route's method and path name its entry there, and its handler must answer
 * with that entry's body, so a route and the web client cannot drift apart.
 */
import type { CodeService, SaveResult } from '../code/code-service.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import { collectPatternSources } from '../patterns/sources.ts';
import { RunLimitError, type RunManager } from '../runs/run-manager.ts';
import type { Store } from '../store/store.ts';
import type { ApiResult, ApiRouteKey, EventsPage } from '../protocol/api.ts';
import { HttpError, notFound, parseOr400 } from './errors.ts';
import {
  faultSpecSchema,
  loadProfileSchema,
  paramsSchema,
  restoreVersionSchema,
  saveFileSchema,
  startRunSchema,
} from './schemas.ts';
import { z } from 'zod';

export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ApiResponse {
  status?: number;
  body: unknown;
}

export type Handler = (request: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** A route as the adapter serves it, whatever it answers. */
export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  handler: Handler;
  /** Largest JSON body this route reads; 1 MB unless it says otherwise. */
  bodyLimitBytes?: number;
}

type MethodOf<K extends string> = K extends `${infer M} ${string}` ? Lowercase<M> : never;
type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;

/** A handler of route K: it answers with the protocol's body for K, or an error. */
export type ApiHandler<K extends ApiRouteKey> = (request: ApiRequest) => ApiResult<K> | Promise<ApiResult<K>>;

/**
 * A route of the protocol: `method` and `path` name an entry of `ApiRoutes`, and the handler
 * answers with that entry's body (or an error). The tables are `ApiRoute[]`, so no route outside
 * the protocol and no handler answering with another route's body compiles.
 */
export type ApiRoute<K extends ApiRouteKey = ApiRouteKey> = K extends ApiRouteKey
  ? {
      method: MethodOf<K>;
      path: PathOf<K>;
      handler: ApiHandler<K>;
      /** Largest JSON body this route reads; 1 MB unless it says otherwise. */
      bodyLimitBytes?: number;
    }
  : never;

/**
 * One route of the table: `route('GET /api/runs/:id', handler)`. The key picks the protocol's
 * entry, so a drift is reported against that route's body (a bare `{ method, path, handler }`
 * is checked too, but TypeScript cannot say which route it meant).
 */
export const route = <K extends ApiRouteKey>(key: K, handler: ApiHandler<K>, options: { bodyLimitBytes?: number } = {}): ApiRoute<K> => {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space).toLowerCase(), path: key.slice(space + 1), handler, ...options } as ApiRoute<K>;
};

export interface ApiServices {
  registry: PatternRegistry;
  store: Store;
  runs: RunManager;
  code: CodeService;
}

export const MAX_EVENTS_PAGE = 10_000;

const eventsQuerySchema = z
  .object({
    after: z.coerce.number().int().min(-1).optional(),
    before: z.coerce.number().int().min(0).optional(),
    from: z.coerce.number().optional(),
    to: z.coerce.number().optional(),
    limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    /** Only events of these types, comma-separated: `types=circuit.state,fault.changed`. */
    types: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+){0,31}$/, 'expected up to 32 event types, comma-separated')
      .transform((value) => value.split(','))
      .optional(),
  })
  .refine((q) => q.after === undefined || q.before === undefined || q.after < q.before, {
    message: 'after must be less than before',
    path: ['before'],
  });

const runsQuerySchema = z.object({ patternId: z.string().optional() });

export const createRoutes = ({ registry, store, runs, code }: ApiServices): ApiRoute[] => {
  const pattern = (id: string) => {
    const entry = registry.get(id);
    if (!entry) throw notFound(`pattern '${id}'`);
    return entry;
  };
  const liveRun = (id: string) => {
    const run = runs.get(id);
    if (!run) {
      if (store.getRun(id)) throw new HttpError(409, `run ${id} is not running any more`);
      throw notFound(`run '${id}'`);
    }
    if (!run.isLive) throw new HttpError(409, `run ${id} is ${run.state}`);
    return run;
  };
  const saved = (result: SaveResult): ApiResult<'PUT /api/patterns/:id/files/:file'> =>
    result.error ? { status: 422, body: { error: { status: 422, ...result.error }, version: result.version } } : { body: result };

  return [
    route('GET /api/patterns', () => ({
      body: registry.list().map(({ manifest }) => ({
        id: manifest.id,
        title: manifest.title,
        category: manifest.category,
        summary: manifest.summary,
        liveRuns: runs.live().filter((run) => run.patternId === manifest.id).map((run) => run.id),
      })),
    })),
    route('GET /api/patterns/:id', ({ params }) => {
      const { manifest, tour } = pattern(params.id!);
      return {
        body: {
          ...manifest,
          tour: tour ?? null,
          docs: registry.readme(manifest.id),
          files: manifest.editableFiles.map((file) => {
            const state = code.get(manifest.id, file);
            // Modified means "differs from the reference": a reset brings it back to false.
            const modified = state.content !== code.reference(manifest.id, file);
            return { name: file, version: state.version, goodVersion: state.goodVersion, modified };
          }),
        },
      };
    }),
    // Read from disk on every call, so an edit to the pattern's folder needs no rebuild. Express
    // tags the answer with an ETag and answers an unchanged one 304, so a revisit costs little.
    route('GET /api/patterns/:id/sources', async ({ params }) => {
      const { dir } = pattern(params.id!);
      return { body: { files: await collectPatternSources(registry.patternsDir, dir) } };
    }),
    route('GET /api/patterns/:id/files/:file', ({ params }) => ({ body: code.get(params.id!, params.file!) })),
    route('PUT /api/patterns/:id/files/:file', async ({ params, body }) => {
      const { content } = parseOr400(saveFileSchema, body);
      return saved(await code.save(params.id!, params.file!, content));
    }),
    route('GET /api/patterns/:id/files/:file/reference', ({ params }) => ({ body: { content: code.reference(params.id!, params.file!) } })),
    route('POST /api/patterns/:id/files/:file/reset', async ({ params }) => saved(await code.reset(params.id!, params.file!))),
    route('GET /api/patterns/:id/files/:file/versions', ({ params }) => ({ body: code.versions(params.id!, params.file!) })),
    route('GET /api/patterns/:id/files/:file/versions/:version', ({ params }) => {
      const version = Number(params.version);
      if (!Number.isInteger(version) || version < 1) throw new HttpError(400, 'version: expected a whole number >= 1');
      return { body: code.version(params.id!, params.file!, version) };
    }),
    route('POST /api/patterns/:id/files/:file/restore', async ({ params, body }) => {
      const { version } = parseOr400(restoreVersionSchema, body);
      return saved(await code.restore(params.id!, params.file!, version));
    }),
    route('GET /api/runs', ({ query }) => {
      const { patternId } = parseOr400(runsQuerySchema, query);
      return {
        body: store.listRuns(patternId).map((record) => ({ ...record, live: runs.get(record.id)?.isLive ?? false })),
      };
    }),
    route('POST /api/runs', async ({ body }) => {
      const { patternId, lab: labId, code: pinned } = parseOr400(startRunSchema, body);
      const { manifest } = pattern(patternId);
      const lab = labId === undefined ? manifest.labs[0] : manifest.labs.find((l) => l.id === labId);
      if (!lab) {
        throw new HttpError(404, `lab: '${labId}' is not a lab of ${patternId} (labs: ${manifest.labs.map((l) => l.id).join(', ')})`);
      }
      // Pinned code replaces editable files only: the lab and the kit are not the learner's to swap.
      for (const file of Object.keys(pinned ?? {})) {
        if (!manifest.editableFiles.includes(file)) {
          throw new HttpError(
            400,
            `code.${file}: not an editable file of ${patternId} (editable: ${manifest.editableFiles.join(', ')})`,
          );
        }
      }
      try {
        const started = await runs.start(patternId, lab, pinned ? { code: pinned } : {});
        if (started.error) {
          return { status: 422, body: { error: { status: 422, ...started.error }, runId: started.run?.id } };
        }
        return { status: 201, body: { runId: started.run.id } };
      } catch (error) {
        if (error instanceof RunLimitError) throw new HttpError(429, error.message);
        throw error;
      }
    }),
    route('GET /api/runs/:id', ({ params }) => {
      const run = runs.get(params.id!);
      if (run) return { body: { ...run.info(), live: run.isLive, code: runs.codeOf(run.id) } };
      const record = store.getRun(params.id!);
      if (!record) throw notFound(`run '${params.id}'`);
      return { body: { ...record, state: record.status, live: false } };
    }),
    route('DELETE /api/runs/:id', async ({ params }) => {
      const run = runs.get(params.id!);
      if (!run && !store.getRun(params.id!)) throw notFound(`run '${params.id}'`);
      await run?.stop('user');
      return { body: { runId: params.id, state: run?.state ?? store.getRun(params.id!)!.status } };
    }),
    route('GET /api/runs/:id/events', ({ params, query }) => {
      if (!store.getRun(params.id!)) throw notFound(`run '${params.id}'`);
      const q = parseOr400(eventsQuerySchema, query);
      const limit = q.limit ?? MAX_EVENTS_PAGE;
      const newestFirst = q.order === 'desc';
      // One more than asked: whether the page is the last one in its direction.
      const rows = store.readEvents(params.id!, {
        ...(q.after !== undefined && { afterSeq: q.after }),
        ...(q.before !== undefined && { beforeSeq: q.before }),
        ...(q.from !== undefined && { fromT: q.from }),
        ...(q.to !== undefined && { toT: q.to }),
        ...(q.types !== undefined && { types: q.types }),
        limit: limit + 1,
        newestFirst,
      });
      const more = rows.length > limit;
      if (more) rows.pop();
      const seqs = rows.map((r) => r.seq);
      const page: EventsPage = {
        events: rows.map((r) => r.event),
        firstSeq: rows.length ? Math.min(seqs[0]!, seqs.at(-1)!) : null,
        lastSeq: rows.length ? Math.max(seqs[0]!, seqs.at(-1)!) : (q.after ?? -1),
        more,
        stored: store.eventSeqRange(params.id!) ?? null,
      };
      return { body: page };
    }),
    route('PUT /api/runs/:id/faults/:point', ({ params, body }) => {
      const run = liveRun(params.id!);
      if (!run.lab.faultPoints.some((p) => p.id === params.point)) {
        const known = run.lab.faultPoints.map((p) => p.id).join(', ');
        throw new HttpError(404, `point: '${params.point}' is not a fault point of this lab (points: ${known})`);
      }
      const spec = parseOr400(faultSpecSchema, body);
      run.setFault(params.point!, spec);
      return { body: { point: params.point, spec } };
    }),
    route('PUT /api/runs/:id/load', ({ params, body }) => {
      const run = liveRun(params.id!);
      const profile = parseOr400(loadProfileSchema, body);
      run.setLoad(profile);
      return { body: { profile } };
    }),
    route('PUT /api/runs/:id/params', async ({ params, body }) => {
      const run = liveRun(params.id!);
      const values = parseOr400(paramsSchema(run.lab.params), body);
      const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
        string,
        number | string | boolean
      >;
      const error = await run.setParams(defined);
      if (error) return { status: 422, body: { error: { status: 422, ...error } } };
      return { body: { params: run.info().params } };
    }),
  ];
};
