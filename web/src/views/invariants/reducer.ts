/**
 * The invariants panel's model: per invariant, how many times it broke, and
 * the latest break (its detail and run time). The declared invariants come
 * from the lab's manifest; an id the stream names that the manifest does not
 * (an older run of a changed lab) is listed after them.
 */
import type { InvariantSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import type { ViewReducer } from '../shared/reducer.ts';

export interface Break {
  t: number;
  detail: string;
}

export interface InvariantCounts {
  /** Breaks per invariant id, with the latest. */
  byId: Record<string, { count: number; latest: Break }>;
  total: number;
}

interface Acc {
  byId: Map<string, { count: number; latest: Break }>;
  total: number;
}

export const invariantsReducer: ViewReducer<Acc, InvariantCounts> = {
  init: () => ({ byId: new Map(), total: 0 }),
  step(acc, event: TelemetryEvent) {
    if (event.type !== 'invariant.violated') return;
    acc.total++;
    const latest = { t: event.t, detail: event.detail };
    const entry = acc.byId.get(event.invariant);
    if (entry) {
      entry.count++;
      entry.latest = latest;
    } else {
      acc.byId.set(event.invariant, { count: 1, latest });
    }
  },
  view: (acc) => ({
    byId: Object.fromEntries([...acc.byId].map(([id, entry]) => [id, { count: entry.count, latest: { ...entry.latest } }])),
    total: acc.total,
  }),
};

export interface InvariantRow {
  id: string;
  description: string;
  count: number;
  latest?: Break;
  /** Named by the run's events but not declared by the lab (now). */
  undeclared: boolean;
}

/** One row per declared invariant, in the manifest's order, then any other id the run broke. */
export const invariantRows = (declared: readonly InvariantSpec[], counts: InvariantCounts): InvariantRow[] => {
  const rows: InvariantRow[] = declared.map(({ id, description }) => {
    const entry = counts.byId[id];
    return { id, description, count: entry?.count ?? 0, ...(entry && { latest: entry.latest }), undeclared: false };
  });
  const known = new Set(declared.map((d) => d.id));
  for (const [id, entry] of Object.entries(counts.byId)) {
    if (!known.has(id)) rows.push({ id, description: 'Not declared by this lab.', count: entry.count, latest: entry.latest, undeclared: true });
  }
  return rows;
};
