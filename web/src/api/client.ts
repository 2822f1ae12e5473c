/**
 * The typed API client. The token travels in the HttpOnly cookie set when the
 * printed URL was opened, so calls need no credentials of their own.
 */
import type {
  ApiErrorBody,
  CheckResults,
  EventsPage,
  ExerciseInstructions,
  ExerciseProgress,
  ExerciseSummary,
  FaultSpec,
  FileState,
  FileVersionInfo,
  LoadProfile,
  Params,
  PatternDetail,
  PatternSummary,
  RunDetail,
  RunListItem,
  SaveResult,
} from '../../../server/http/api-types.ts';

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

const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (json as ApiErrorBody | undefined)?.error;
    const message =
      response.status === 401
        ? 'Not signed in: open the URL the workbench printed in its terminal (it carries the token).'
        : (error?.message ?? `${method} ${path} failed with ${response.status}`);
    throw new ApiError(response.status, message, error);
  }
  return json as T;
};

const enc = encodeURIComponent;
const file = (patternId: string, name: string) => `/api/patterns/${enc(patternId)}/files/${enc(name)}`;

export const api = {
  patterns: () => request<PatternSummary[]>('GET', '/api/patterns'),
  pattern: (id: string) => request<PatternDetail>('GET', `/api/patterns/${enc(id)}`),

  file: (patternId: string, name: string) => request<FileState>('GET', file(patternId, name)),
  reference: (patternId: string, name: string) =>
    request<{ content: string }>('GET', `${file(patternId, name)}/reference`),
  saveFile: (patternId: string, name: string, content: string) =>
    request<SaveResult>('PUT', file(patternId, name), { content }),
  resetFile: (patternId: string, name: string) => request<SaveResult>('POST', `${file(patternId, name)}/reset`),
  versions: (patternId: string, name: string) => request<FileVersionInfo[]>('GET', `${file(patternId, name)}/versions`),
  version: (patternId: string, name: string, version: number) =>
    request<FileVersionInfo & { content: string }>('GET', `${file(patternId, name)}/versions/${version}`),
  restore: (patternId: string, name: string, version: number) =>
    request<SaveResult>('POST', `${file(patternId, name)}/restore`, { version }),

  runs: (patternId?: string) =>
    request<RunListItem[]>('GET', `/api/runs${patternId ? `?patternId=${enc(patternId)}` : ''}`),
  /** `code` (file → content) runs in place of those files for this run only: a pinned run, which no save reaches. */
  startRun: (patternId: string, lab?: string, code?: Record<string, string>) =>
    request<{ runId: string }>('POST', '/api/runs', { patternId, ...(lab && { lab }), ...(code && { code }) }),
  run: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
  stopRun: (id: string) => request<{ runId: string }>('DELETE', `/api/runs/${enc(id)}`),
  setFault: (id: string, point: string, spec: Partial<FaultSpec>) =>
    request<{ point: string; spec: FaultSpec }>('PUT', `/api/runs/${enc(id)}/faults/${enc(point)}`, spec),
  setLoad: (id: string, profile: LoadProfile) =>
    request<{ profile: LoadProfile }>('PUT', `/api/runs/${enc(id)}/load`, profile),
  setParams: (id: string, params: Params) => request<{ params: Params }>('PUT', `/api/runs/${enc(id)}/params`, params),
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
    return request<EventsPage>('GET', `/api/runs/${enc(id)}/events?${query}`);
  },

  patternExercises: (patternId: string) => request<ExerciseSummary[]>('GET', `/api/patterns/${enc(patternId)}/exercises`),
  exercises: () => request<ExerciseSummary[]>('GET', '/api/exercises'),
  exercise: (id: string) => request<ExerciseInstructions>('GET', `/api/exercises/${enc(id)}`),
  checkExercise: (id: string, code: string) => request<CheckResults>('POST', `/api/exercises/${enc(id)}/check`, { code }),
  saveDraft: (id: string, code: string) => request<{ saved: boolean }>('PUT', `/api/exercises/${enc(id)}/draft`, { code }),
  /** The solution; the workbench records that it was viewed. */
  solution: (id: string) => request<{ file: string; content: string }>('GET', `/api/exercises/${enc(id)}/solution`),
  exportProgress: () => request<ProgressExport>('GET', '/api/progress'),
  importProgress: (data: unknown) => request<{ progress: number; drafts: number }>('POST', '/api/progress', data),
};

/** The progress export (GET /api/progress), as downloaded and imported. */
export interface ProgressExport {
  format: 'patterns-workbench-progress';
  version: 1;
  exportedAt: string;
  progress: ExerciseProgress[];
  drafts: Array<{ exerciseId: string; code: string; updatedAt: number }>;
}
