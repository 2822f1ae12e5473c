/**
 * The run split into segments at each `params.changed`, so a learner can
 * switch strategy mid-run and compare: calls per request, retries, give-ups,
 * and how long the segment's last answer took to come.
 */
import { changedParams, describeParams } from '../shared/describe.ts';
import { trimFront } from '../shared/reducer.ts';

export interface Segment {
  index: number;
  start: number;
  end: number;
  /** What changed at its start (every parameter for the first). */
  label: string;
  params: Record<string, unknown>;
  requests: number;
  succeeded: number;
  failed: number;
  calls: number;
  retries: number;
  giveups: number;
  /** Run time of the segment's last answer. */
  lastDone: number | undefined;
}

export interface Segments {
  list: Segment[];
  /** The parameters in force, once the run has said. */
  params: Record<string, unknown> | undefined;
}

const MAX_SEGMENTS = 30;

export const newSegments = (): Segments => ({ list: [], params: undefined });

const newSegment = (index: number, start: number, label: string, params: Record<string, unknown>): Segment => ({
  index,
  start,
  end: start,
  label,
  params,
  requests: 0,
  succeeded: 0,
  failed: 0,
  calls: 0,
  retries: 0,
  giveups: 0,
  lastDone: undefined,
});

/** The segment an event at `t` counts in: the latest (opened at 0 if the run has none yet). */
export const segmentAt = (segments: Segments, t: number): Segment => {
  let segment = segments.list[segments.list.length - 1];
  if (!segment) segments.list.push((segment = newSegment(0, 0, 'start', {})));
  segment.end = Math.max(segment.end, t);
  return segment;
};

/** A parameter change opens a segment, except the run's first parameters, which name the opening one. */
export const changeParams = (segments: Segments, t: number, params: Record<string, unknown>): void => {
  const changed = changedParams(segments.params, params);
  const first = segments.params === undefined;
  segments.params = { ...params };
  const current = segments.list[segments.list.length - 1];
  if (first && current && current.calls === 0 && current.requests === 0) {
    current.label = describeParams(changed);
    current.params = { ...params };
    return;
  }
  if (current) current.end = t;
  segments.list.push(newSegment((current?.index ?? -1) + 1, t, describeParams(changed) || 'same parameters', { ...params }));
  trimFront(segments.list, MAX_SEGMENTS);
};

/** The segments begun by `nowT`, copied. */
export const segmentsAt = (segments: Segments, nowT: number): Segment[] =>
  segments.list.filter((s) => s.start <= nowT).map((s) => ({ ...s, params: { ...s.params } }));
