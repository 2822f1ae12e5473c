/** Grouping and filtering for the catalog: pure, so it is tested without a DOM. */
import type { ExerciseSummary, PatternSummary } from '../../../../server/protocol/api.ts';

const CATEGORY_ORDER: Array<[PatternSummary['category'], string]> = [
  ['resilience', 'Resilience'],
  ['messaging', 'Messaging'],
  ['api', 'APIs'],
  ['data', 'Data'],
  ['structure', 'Structure'],
  ['operations', 'Operations'],
];

/** The catalog's word for a category ("Resilience", "APIs"): its heading, and the breadcrumbs' word for it. */
export const categoryLabel = (category: string): string => CATEGORY_ORDER.find(([id]) => id === category)?.[1] ?? category;

export const matches = (pattern: PatternSummary, filter: string): boolean => {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${pattern.title} ${pattern.id} ${pattern.category} ${pattern.summary}`.toLowerCase();
  return words.every((word) => text.includes(word));
};

export const groupByCategory = (patterns: PatternSummary[], filter = '') =>
  CATEGORY_ORDER.map(([category, label]) => ({
    category,
    label,
    patterns: patterns.filter((p) => p.category === category && matches(p, filter)).sort((a, b) => a.title.localeCompare(b.title)),
  })).filter((group) => group.patterns.length > 0);

export interface ExerciseCount {
  solved: number;
  total: number;
}

/** Exercises solved and in all, per pattern id (patterns without exercises are absent). */
export const exerciseCounts = (exercises: readonly Pick<ExerciseSummary, 'patternId' | 'status'>[]): Map<string, ExerciseCount> => {
  const counts = new Map<string, ExerciseCount>();
  for (const e of exercises) {
    const count = counts.get(e.patternId) ?? { solved: 0, total: 0 };
    count.total++;
    if (e.status === 'solved') count.solved++;
    counts.set(e.patternId, count);
  }
  return counts;
};

/** A track of the suggested path: patterns in the order a newcomer meets them, each building on the one before. */
export interface Track {
  id: string;
  title: string;
  /** Why this order, in a line. */
  why: string;
  /** Pattern ids (the folders under patterns/). */
  patterns: readonly string[];
}

/** The suggested path for a newcomer: every pattern once, tracks in order. */
export const SUGGESTED_PATH: readonly Track[] = [
  {
    id: 'structure',
    title: 'Structure',
    why: 'Storage behind an interface, use cases over it, wiring from outside, then reads split from writes.',
    patterns: ['repository', 'service-layer', 'dependency-injection', 'cqrs'],
  },
  {
    id: 'resilience',
    title: 'Resilience',
    why: 'Retry what fails for a moment; then stop calling what keeps failing.',
    patterns: ['retry-backoff', 'circuit-breaker'],
  },
  {
    id: 'messaging',
    title: 'Messaging',
    why: 'Announce what happened; then move slow work out of the request.',
    patterns: ['event-bus', 'background-jobs'],
  },
  {
    id: 'operations',
    title: 'Operations',
    why: 'Configure it, see what it does, wrap every request, then change the API without breaking clients.',
    patterns: ['settings', 'structured-logging', 'middleware', 'api-versioning'],
  },
];

/** What the catalog knows the learner has done with a pattern (the browser's marks). */
export interface LearnerMarks {
  lessonRead: boolean;
  labTried: boolean;
  tourDone: boolean;
}

export type MarkKey = 'lesson' | 'lab' | 'tour' | 'exercises';

/** One of a card's four progress marks, in words: `none` is a mark that does not apply (a pattern without exercises). */
export interface ProgressMark {
  key: MarkKey;
  state: 'done' | 'todo' | 'none';
  text: string;
}

/** A pattern's four marks, each saying in words whether it is done (never colour alone). */
export const progressMarks = (learner: LearnerMarks, exercises: ExerciseCount | undefined): ProgressMark[] => [
  { key: 'lesson', state: learner.lessonRead ? 'done' : 'todo', text: learner.lessonRead ? 'Lesson read' : 'Lesson not read yet' },
  { key: 'lab', state: learner.labTried ? 'done' : 'todo', text: learner.labTried ? 'Lab tried' : 'Lab not tried yet' },
  { key: 'tour', state: learner.tourDone ? 'done' : 'todo', text: learner.tourDone ? 'Tour done' : 'Tour not done yet' },
  exercises && exercises.total > 0
    ? { key: 'exercises', state: exercises.solved === exercises.total ? 'done' : 'todo', text: `${exercises.solved} / ${exercises.total} exercises solved` }
    : { key: 'exercises', state: 'none', text: 'No exercises' },
];

/** Marks done, out of those that apply. */
export const marksDone = (marks: readonly ProgressMark[]): { done: number; total: number } => ({
  done: marks.filter((m) => m.state === 'done').length,
  total: marks.filter((m) => m.state !== 'none').length,
});

/** A pattern is done when every mark that applies is. */
export const isPatternDone = (marks: readonly ProgressMark[]): boolean => marks.every((m) => m.state !== 'todo');

export interface PathStep {
  patternId: string;
  title: string;
  done: boolean;
  /** Marks done and in all, for "2 / 4". */
  progress: { done: number; total: number };
}

export interface PathTrack {
  id: string;
  title: string;
  why: string;
  steps: PathStep[];
}

/**
 * The suggested path over the patterns the server has (an id it does not
 * have is left out, and a track left empty with it), each step with its done
 * state from `marksOf`.
 */
export const suggestedPath = (
  patterns: readonly Pick<PatternSummary, 'id' | 'title'>[],
  marksOf: (patternId: string) => readonly ProgressMark[],
  tracks: readonly Track[] = SUGGESTED_PATH,
): PathTrack[] => {
  const byId = new Map(patterns.map((p) => [p.id, p]));
  return tracks
    .map(({ id, title, why, patterns: ids }) => ({
      id,
      title,
      why,
      steps: ids.flatMap((patternId) => {
        const pattern = byId.get(patternId);
        if (!pattern) return [];
        const marks = marksOf(patternId);
        return [{ patternId, title: pattern.title, done: isPatternDone(marks), progress: marksDone(marks) }];
      }),
    }))
    .filter((track) => track.steps.length > 0);
};

/** Where to start: the first step along the path, track by track, not yet done (none when all are). */
export const nextStep = (path: readonly PathTrack[]): PathStep | undefined => {
  for (const track of path) {
    const step = track.steps.find((s) => !s.done);
    if (step) return step;
  }
  return undefined;
};
