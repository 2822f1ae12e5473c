/**
 * The views a lab can ask for, as data (`LabManifest.views`). The web
 * workbench draws each kind with one generic view; see each file.
 */
import type { AttemptsViewSpec } from './attempts.ts';
import type { BoardViewSpec } from './board.ts';
import type { ChartsViewSpec } from './charts.ts';
import type { CustomViewSpec } from './custom.ts';
import type { FlowViewSpec } from './flow.ts';
import type { KeyedBarsViewSpec } from './keyed-bars.ts';
import type { StateMachineViewSpec } from './state-machine.ts';
import type { TableViewSpec } from './table.ts';

export type * from './attempts.ts';
export type * from './board.ts';
export type * from './charts.ts';
export type * from './common.ts';
export type * from './custom.ts';
export type * from './flow.ts';
export type * from './keyed-bars.ts';
export type * from './state-machine.ts';
export type * from './table.ts';

export type ViewSpec =
  | StateMachineViewSpec
  | AttemptsViewSpec
  | KeyedBarsViewSpec
  | FlowViewSpec
  | BoardViewSpec
  | TableViewSpec
  | ChartsViewSpec
  | CustomViewSpec;

export type ViewKind = ViewSpec['kind'];
