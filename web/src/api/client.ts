/**
 * The typed API client. The token travels in the HttpOnly cookie set when the
 * printed URL was opened, so calls need no credentials of their own.
 *
 * Every answer (or its absence) goes to the connection monitor (connection.ts). When
 * the workbench does not answer, a GET waits until it does and then goes on (a restart
 * with the same token is a pause); a write fails at once with a message that says so,
 * since it may or may not have reached the workbench.
 */
import type {
  ApiErrorBody,
  ApiRouteKey,
  ApiRoutes,
  ExerciseCodeRequest,
  FaultSpec,
  LoadProfile,
  Params,
  RestoreVersionRequest,
  SaveFileRequest,
  StartRunRequest,
} from '../../../server/protocol/api.ts';
import { classifyAnswer, connection } from './connection.ts';

/** An API error with the server's message (and, for code, its file/line/column). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: ApiErrorBody['error'] | undefined,
  ) {
    super(message);
  }
}

/**
 * Calls `route` (a key of the protocol's ApiRoutes, which gives the method) at `path` (the route
 * with its parameters filled in), and answers with the body the protocol says that route returns.
 */
/** What a 401 means in a page the workbench served: its token changed (it was restarted). */
export const SIGNED_OUT_MESSAGE =
  'Not signed in: the workbench was restarted with a new token (or this tab never signed in). Open the URL it printed in its terminal (it carries the token) in this tab.';

/** A write (or a GET that gave up) that got no answer; status 0: there was no HTTP answer. */
const notAnswering = (method: string, path: string): ApiError =>
  new ApiError(
    0,
    `The workbench is not answering (${method} ${path}): it was stopped, or it is restarting. Try again once it is back.`,
    undefined,
  );

const request = async <K extends ApiRouteKey>(route: K, path: string, body?: unknown): Promise<ApiRoutes[K]> => {
  const method = route.slice(0, route.indexOf(' '));
  for (;;) {
    let response: Response | undefined;
    try {
      response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // No answer at all: the workbench is gone (stopped, restarting).
      response = undefined;
    }
    const verdict = response ? classifyAnswer(response.status, response.headers.get('content-type')) : 'unreachable';
    connection.report(verdict);
    if (verdict === 'unreachable') {
      // A read waits for the workbench and asks again; a write is not repeated behind the learner's back.
      if (method !== 'GET') throw notAnswering(method, path);
      if ((await connection.whenAvailable()) === 'signed-out') throw new ApiError(401, SIGNED_OUT_MESSAGE, undefined);
      continue;
    }
    const answer = response!;
    const text = await answer.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!answer.ok) {
      const error = (json as ApiErrorBody | undefined)?.error;
      const message = answer.status === 401 ? SIGNED_OUT_MESSAGE : (error?.message ?? `${method} ${path} failed with ${answer.status}`);
      throw new ApiError(answer.status, message, error);
    }
    return json as ApiRoutes[K];
  }
};

const enc = encodeURIComponent;
const file = (patternId: string, name: string) => `/api/patterns/${enc(patternId)}/files/${enc(name)}`;

export const api = {
  patterns: () => request('GET /api/patterns', '/api/patterns'),
  pattern: (id: string) => request('GET /api/patterns/:id', `/api/patterns/${enc(id)}`),
  /** The kit's and the pattern's own `.ts` files as shipped, read from disk: what the editor type-checks against. */
  sources: (id: string) => request('GET /api/patterns/:id/sources', `/api/patterns/${enc(id)}/sources`),

  file: (patternId: string, name: string) => request('GET /api/patterns/:id/files/:file', file(patternId, name)),
  reference: (patternId: string, name: string) =>
    request('GET /api/patterns/:id/files/:file/reference', `${file(patternId, name)}/reference`),
  saveFile: (patternId: string, name: string, content: string) =>
    request('PUT /api/patterns/:id/files/:file', file(patternId, name), { content } satisfies SaveFileRequest),
  resetFile: (patternId: string, name: string) =>
    request('POST /api/patterns/:id/files/:file/reset', `${file(patternId, name)}/reset`),
  versions: (patternId: string, name: string) =>
    request('GET /api/patterns/:id/files/:file/versions', `${file(patternId, name)}/versions`),
  version: (patternId: string, name: string, version: number) =>
    request('GET /api/patterns/:id/files/:file/versions/:version', `${file(patternId, name)}/versions/${version}`),
  restore: (patternId: string, name: string, version: number) =>
    request('POST /api/patterns/:id/files/:file/restore', `${file(patternId, name)}/restore`, { version } satisfies RestoreVersionRequest),

  runs: (patternId?: string) => request('GET /api/runs', `/api/runs${patternId ? `?patternId=${enc(patternId)}` : ''}`),
  /** `code` (file → content) runs in place of those files for this run only: a pinned run, which no save reaches. */
  startRun: (patternId: string, lab?: string, code?: Record<string, string>) =>
    request('POST /api/runs', '/api/runs', { patternId, ...(lab && { lab }), ...(code && { code }) } satisfies StartRunRequest),
  run: (id: string) => request('GET /api/runs/:id', `/api/runs/${enc(id)}`),
  stopRun: (id: string) => request('DELETE /api/runs/:id', `/api/runs/${enc(id)}`),
  setFault: (id: string, point: string, spec: Partial<FaultSpec>) =>
    request('PUT /api/runs/:id/faults/:point', `/api/runs/${enc(id)}/faults/${enc(point)}`, spec),
  setLoad: (id: string, profile: LoadProfile) => request('PUT /api/runs/:id/load', `/api/runs/${enc(id)}/load`, profile),
  setParams: (id: string, params: Params) => request('PUT /api/runs/:id/params', `/api/runs/${enc(id)}/params`, params),
  /** A page of a run's recorded events: oldest first from `after`, or newest first (`order: 'desc'`) before `before`. */
  events: (
    id: string,
    options: { after?: number; before?: number; limit?: number; order?: 'asc' | 'desc'; types?: readonly string[] } = {},
  ) => {
    const query = new URLSearchParams({ limit: String(options.limit ?? 10_000) });
    if (options.after !== undefined) query.set('after', String(options.after));
    if (options.before !== undefined) query.set('before', String(options.before));
    if (options.order) query.set('order', options.order);
    if (options.types?.length) query.set('types', options.types.join(','));
    return request('GET /api/runs/:id/events', `/api/runs/${enc(id)}/events?${query}`);
  },

  patternExercises: (patternId: string) =>
    request('GET /api/patterns/:id/exercises', `/api/patterns/${enc(patternId)}/exercises`),
  exercises: () => request('GET /api/exercises', '/api/exercises'),
  exercise: (id: string) => request('GET /api/exercises/:id', `/api/exercises/${enc(id)}`),
  checkExercise: (id: string, code: string) =>
    request('POST /api/exercises/:id/check', `/api/exercises/${enc(id)}/check`, { code } satisfies ExerciseCodeRequest),
  saveDraft: (id: string, code: string) =>
    request('PUT /api/exercises/:id/draft', `/api/exercises/${enc(id)}/draft`, { code } satisfies ExerciseCodeRequest),
  /** The solution; the workbench records that it was viewed. */
  solution: (id: string) => request('GET /api/exercises/:id/solution', `/api/exercises/${enc(id)}/solution`),
  exportProgress: () => request('GET /api/progress', '/api/progress'),
  importProgress: (data: unknown) => request('POST /api/progress', '/api/progress', data),
};
