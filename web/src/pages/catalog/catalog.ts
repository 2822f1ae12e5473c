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
