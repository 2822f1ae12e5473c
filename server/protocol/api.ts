/**
 * The HTTP API's protocol: every request and response body of `/api/*`, and
 * `ApiRoutes`, the table from each route ('GET /api/runs/:id') to the body it
 * answers with. The server's routes are typed by it (`server/http/routes.ts`:
 * a handler answering with another shape does not compile) and the web app's
 * client (`web/src/api/client.ts`) reads its answers as it says.
 *
 * Types only, and nothing but the kit's types imported: the web app may import
 * this module (as `import type`, like anything of the server's; see
 * test/architecture/imports.test.ts) without pulling server code into the
 * browser or the server's internals into its type graph.
 *
 * It lives in `server/protocol/`, not `server/http/` nor a new top-level folder:
 * it is the server's contract, not its HTTP plumbing (the routes, zod schemas and
 * express adapter stay in `server/http/`), and DESIGN.md names what the web may
 * import "the server's protocol types" and keeps the top level to server/, web/,
 * patterns/, exercises/, test/.
 */
import type { EventMatcher, FaultSpec, LabManifest, LoadProfile, Params, PatternManifest, TelemetryEvent, Tour, TourStep } from '../../patterns/kit/index.ts';

export interface ApiErrorBody {
  error: { status: number; message: string; file?: string; line?: number; column?: number } & Record<string, unknown>;
}

export interface PatternSummary {
  id: string;
  title: string;
  category: PatternManifest['category'];
  summary: string;
  liveRuns: string[];
}

export interface PatternFileInfo {
  name: string;
  version: number;
  goodVersion: number;
  modified: boolean;
}

export interface PatternDetail extends PatternManifest {
  /** The README, markdown. */
  docs: string;
  /** The guided tour, if the pattern has one. */
  tour: Tour | null;
  files: PatternFileInfo[];
}

/** A TypeScript file as shipped, at its repository path (`patterns/kit/clock.ts`). */
export interface SourceFile {
  path: string;
  content: string;
}

/**
 * GET /api/patterns/:id/sources: what the editor type-checks the pattern's files against, read
 * from disk when asked (a file added to the pattern's folder shows without a web rebuild): the
 * kit's `.ts` files, then the pattern's own, each sorted by path; no tests, no other pattern's
 * files. Editable files are as shipped: the learner's versions come from the files routes.
 */
export interface PatternSources {
  files: SourceFile[];
}

export interface CodeError {
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface FileState {
  patternId: string;
  file: string;
  content: string;
  /** 0: the reference. */
  version: number;
  /** The version runs use. */
  goodVersion: number;
  error: CodeError | null;
}

export interface FileVersionInfo {
  patternId: string;
  file: string;
  version: number;
  createdAt: number;
  origin: 'saved' | 'reset' | 'restored';
  error: CodeError | null;
}

export interface SaveResult {
  version: number;
  deployedTo: string[];
  durationMs: number;
}

export type RunState = 'starting' | 'running' | 'stopped' | 'error';

/**
 * Which code a run runs. `current`: the pattern's files, redeployed on every save (`versions`: what
 * it runs now). `pinned`: it was started with `files` of its own in place of the pattern's, and no
 * save reaches it (`versions`: the pattern's other files as they were when it started).
 */
export type RunCode =
  | { follows: 'current'; versions: Record<string, number> }
  | { follows: 'pinned'; files: string[]; versions: Record<string, number> };

export interface RunDetail {
  id: string;
  patternId: string;
  lab: string;
  state: RunState;
  live: boolean;
  seed: number;
  startedAt: number;
  faults?: Record<string, FaultSpec>;
  load?: LoadProfile;
  params?: Params;
  versions?: Record<string, number>;
  /** Which code the run runs (live and recently ended runs): the pattern's current files, or code pinned at its start. */
  code?: RunCode;
  /** Live runs: the code error that stopped its last deploy. Recorded runs: why it ended, as stored (`'the workbench stopped'`). */
  error?: CodeError | string | null;
  /** Live runs: events stored, and any dropped while the database refused them. */
  recording?: { stored: number; dropped: number; pending: number; lastError: string | null };
  /** Live runs: the `seq` of the newest event recorded when this was read; faults, load, params and versions reflect every event up to it. */
  seq?: number;
  /** Stopped runs: true once their events were pruned to keep the history within its bound. */
  eventsPruned?: boolean;
}

export interface RunListItem {
  id: string;
  patternId: string;
  lab: string;
  status: 'running' | 'stopped' | 'error';
  startedAt: number;
  stoppedAt: number | null;
  live: boolean;
  /** True once the run's events were pruned to keep the history within its bound. */
  eventsPruned: boolean;
}

/**
 * A page of GET /api/runs/:id/events: oldest first, or newest first with `order=desc`.
 * Page forward with `after=lastSeq`, back with `before=firstSeq`.
 */
export interface EventsPage {
  /** In the order asked for; each carries its `seq`. */
  events: TelemetryEvent[];
  /** The lowest `seq` in the page; null when it is empty. */
  firstSeq: number | null;
  /** The highest `seq` in the page; when it is empty, `after` (or -1). */
  lastSeq: number;
  /** More events match beyond the page, in the direction it reads (newer for asc, older for desc). */
  more: boolean;
  /** The lowest and highest `seq` the run has stored (older ones may have been pruned); null when none. */
  stored: { first: number; last: number } | null;
}

export type { EventMatcher, FaultSpec, LabManifest, LoadProfile, Params, TelemetryEvent, Tour, TourStep };

export type ExerciseStatus = 'new' | 'started' | 'solved';

export interface ExerciseSummary {
  id: string;
  patternId: string;
  title: string;
  difficulty: 'easy' | 'medium' | 'hard';
  file: string;
  tasks: number;
  status: ExerciseStatus;
  tasksPassed: number[];
  /**
   * The learner was shown the solution before solving the exercise (so a `solved`
   * one was solved after viewing it). Added later: older servers leave it out.
   */
  solutionViewed?: boolean;
}

export interface ExerciseProgress {
  exerciseId: string;
  status: 'started' | 'solved';
  tasksPassed: number[];
  attempts: number;
  solvedAt: number | null;
  /** The solution was shown before the exercise was solved (viewing it afterwards is not noted). */
  solutionViewed: boolean;
  updatedAt: number;
}

export type CheckStatus = 'pass' | 'fail' | 'error';

/** One check, in the shape of Exercism's test runners: its name, task, status and a message a learner can act on. */
export interface CheckOutcome {
  name: string;
  task: number;
  status: CheckStatus;
  /** Expected vs actual, or what happened. */
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  durationMs: number;
}

/** What the checks of one submission found, as the exercise runner answers. */
export interface CheckRun {
  /** pass: every check passed; fail: some failed; error: the code did not compile, load or finish. */
  status: CheckStatus;
  /** For `error`: what went wrong, and where. */
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  tests: CheckOutcome[];
  durationMs: number;
}

/** POST /api/exercises/:id/check: the run, and the progress it made. */
export interface CheckResults extends CheckRun {
  tasksPassed: number[];
  progress: ExerciseProgress;
}

export interface ExerciseInstructions extends Omit<ExerciseSummary, 'tasks'> {
  intro: string;
  tasks: Array<{ number: number; title: string; body: string }>;
  hints: { general: string[]; byTask: Record<number, string[]> };
  starter: string;
  draft: { code: string; updatedAt: number } | null;
  lastAttempt: { code: string; status: string; results: unknown; createdAt: number } | null;
  progress: ExerciseProgress | null;
}

/** The progress export (GET /api/progress), as downloaded and imported (POST /api/progress). */
export interface ProgressExport {
  format: 'patterns-workbench-progress';
  version: 1;
  exportedAt: string;
  progress: ExerciseProgress[];
  drafts: Array<{ exerciseId: string; code: string; updatedAt: number }>;
}

// ---- request bodies (the server validates them with the zod schemas in server/http/schemas.ts) ----

export interface SaveFileRequest {
  content: string;
}

export interface RestoreVersionRequest {
  version: number;
}

export interface StartRunRequest {
  patternId: string;
  /** The pattern's first lab unless named. */
  lab?: string;
  /** File → content: runs in place of those editable files for this run only (a pinned run). */
  code?: Record<string, string>;
}

export interface ExerciseCodeRequest {
  code: string;
}

// ---- response bodies not declared above ----

export interface FileContent {
  content: string;
}

export type FileVersion = FileVersionInfo & { content: string };

export interface StartRunResult {
  runId: string;
}

export interface StopRunResult {
  runId: string;
  state: RunState;
}

export interface FaultSet {
  point: string;
  spec: FaultSpec;
}

export interface LoadSet {
  profile: LoadProfile;
}

export interface ParamsSet {
  params: Params;
}

export interface DraftSaved {
  saved: boolean;
}

export interface ExerciseSolution {
  file: string;
  content: string;
  /** Whether the exercise's progress now notes the solution as viewed before solving (false when it was solved already). Added later: older servers leave it out. */
  solutionViewed?: boolean;
}

export interface ProgressImportResult {
  progress: number;
  drafts: number;
}

/**
 * Every route of the API and the body it answers with when it succeeds. A route is
 * `'<METHOD> <express path>'`; the server's route table is typed by this (a route not
 * listed here, or a handler answering with another shape, does not compile), and the
 * web client reads each answer as the type listed here.
 */
export interface ApiRoutes {
  'GET /api/patterns': PatternSummary[];
  'GET /api/patterns/:id': PatternDetail;
  'GET /api/patterns/:id/sources': PatternSources;
  'GET /api/patterns/:id/files/:file': FileState;
  'PUT /api/patterns/:id/files/:file': SaveResult;
  'GET /api/patterns/:id/files/:file/reference': FileContent;
  'POST /api/patterns/:id/files/:file/reset': SaveResult;
  'GET /api/patterns/:id/files/:file/versions': FileVersionInfo[];
  'GET /api/patterns/:id/files/:file/versions/:version': FileVersion;
  'POST /api/patterns/:id/files/:file/restore': SaveResult;
  'GET /api/runs': RunListItem[];
  'POST /api/runs': StartRunResult;
  'GET /api/runs/:id': RunDetail;
  'DELETE /api/runs/:id': StopRunResult;
  'GET /api/runs/:id/events': EventsPage;
  'PUT /api/runs/:id/faults/:point': FaultSet;
  'PUT /api/runs/:id/load': LoadSet;
  'PUT /api/runs/:id/params': ParamsSet;
  'GET /api/patterns/:id/exercises': ExerciseSummary[];
  'GET /api/exercises': ExerciseSummary[];
  'GET /api/exercises/:id': ExerciseInstructions;
  'POST /api/exercises/:id/check': CheckResults;
  'PUT /api/exercises/:id/draft': DraftSaved;
  'GET /api/exercises/:id/solution': ExerciseSolution;
  'GET /api/progress': ProgressExport;
  'POST /api/progress': ProgressImportResult;
}

export type ApiRouteKey = keyof ApiRoutes;

/** The statuses a route answers an error with, beside its HttpErrors (which become ApiErrorBody). */
export type ApiErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

/**
 * What a handler of route K returns: its success body (200 unless it says 201), or an error
 * answer in the API's error shape (which may carry more beside `error`, e.g. the saved
 * `version` of a file that does not compile).
 */
export type ApiResult<K extends ApiRouteKey> =
  | { status: ApiErrorStatus; body: ApiErrorBody & Record<string, unknown> }
  | { status?: 200 | 201; body: ApiRoutes[K] };
