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
  error?: CodeError | null;
  /** Live runs: events stored, and any dropped while the database refused them. */
  recording?: { stored: number; dropped: number; pending: number; lastError: string | null };
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

export interface EventsPage {
  events: TelemetryEvent[];
  lastSeq: number;
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
