/**
 * The view contract. A view is a pure reducer from the run's event stream to
 * a view model, beside the React component that draws the model. The same
 * view then serves a live run, a recorded run scrubbed in time, and two runs
 * side by side. Reducers must aggregate (counts, buckets, the last N rows),
 * never keep every event, so a lab at 1,000 requests/s stays responsive.
 */
import type { ComponentType } from 'react';
import type { LabManifest, TelemetryEvent, ViewId } from '../../../patterns/kit/index.ts';

export interface ViewProps {
  /** The events to show, oldest first: the whole run so far, or up to the scrub cursor. */
  events: readonly TelemetryEvent[];
  /** Changes whenever `events` does: memoise reducers on it. */
  revision: number;
  lab: LabManifest;
  /** The run time (ms) at the right edge of the view: now, or the scrub cursor. */
  nowT: number;
}

export interface ViewDefinition {
  id: ViewId;
  title: string;
  Component: ComponentType<ViewProps>;
}
