/**
 * The API's response bodies, shared by the server's routes and the web app's
 * typed client. Types only: the web app imports nothing else from the server.
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
  error?: CodeError | null;
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
}

export interface ExerciseProgress {
  exerciseId: string;
  status: 'started' | 'solved';
  tasksPassed: number[];
  attempts: number;
  solvedAt: number | null;
  solutionViewed: boolean;
  updatedAt: number;
}

export interface CheckOutcome {
  name: string;
  task: number;
  status: 'pass' | 'fail' | 'error';
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  durationMs: number;
}

export interface CheckResults {
  status: 'pass' | 'fail' | 'error';
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  tests: CheckOutcome[];
  durationMs: number;
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
