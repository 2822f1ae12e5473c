/**
 * The view contract. A view is a pure reducer from the run's event stream to
 * a view model, beside the React component that draws the model. The same
 * view then serves a live run, a recorded run scrubbed in time, and two runs
 * side by side. Reducers must aggregate (counts, buckets, the last N rows),
 * never keep every event, so a lab at 1,000 requests/s stays responsive.
 *
 * Views are generic: a lab's manifest configures them (`spec`, a `ViewSpec`
 * of the kit), naming the event types and fields to read. A view builds its
 * reducer from its spec (memoised on it), so one component serves any pattern.
 */
import type { ComponentType } from 'react';
import type { LabManifest, TelemetryEvent, ViewKind, ViewSpec } from '../../../patterns/kit/index.ts';

/** What the Lab tab hands every view. */
export interface StreamProps {
  /** The events to show, oldest first: the whole run so far, or up to the scrub cursor. */
  events: readonly TelemetryEvent[];
  /** Changes whenever `events` does: memoise reducers on it. */
  revision: number;
  lab: LabManifest;
  /** The pattern the lab belongs to. */
  patternId: string;
  /** The run time (ms) at the right edge of the view: now, or the scrub cursor. */
  nowT: number;
}

/** A generic view's props: the stream and its spec from the lab's manifest. */
export interface ViewProps<S extends ViewSpec = ViewSpec> extends StreamProps {
  spec: S;
}

export type SpecOf<K extends ViewKind> = Extract<ViewSpec, { kind: K }>;

/** A view per kind. */
export type ViewComponents = { [K in ViewKind]: ComponentType<ViewProps<SpecOf<K>>> };
