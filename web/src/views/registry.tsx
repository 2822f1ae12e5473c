/**
 * The generic views, one per kind of `ViewSpec`. A lab's manifest lists the
 * views it wants as data; nothing here names a pattern. A pattern's own
 * view (`kind: 'custom'`) is a `*.view.tsx` file in its folder (custom/).
 */
import '../styles/lab.css';
import type { ComponentType } from 'react';
import { AttemptsView } from './attempts/AttemptsView.tsx';
import { BoardView } from './board/BoardView.tsx';
import { ChartsView } from './charts/ChartsView.tsx';
import { CustomView } from './custom/CustomView.tsx';
import { FlowView } from './flow/FlowView.tsx';
import { KeyedBarsView } from './keyed-bars/KeyedBarsView.tsx';
import { StateMachineView } from './state-machine/StateMachineView.tsx';
import { TableView } from './table/TableView.tsx';
import type { ViewComponents, ViewProps } from './types.ts';

export const VIEWS: ViewComponents = {
  'state-machine': StateMachineView,
  attempts: AttemptsView,
  'keyed-bars': KeyedBarsView,
  flow: FlowView,
  board: BoardView,
  table: TableView,
  charts: ChartsView,
  custom: CustomView,
};

/** Draws one view of a lab from its spec. */
export const GenericView = (props: ViewProps) => {
  const Component = VIEWS[props.spec.kind] as ComponentType<ViewProps>;
  return <Component {...props} />;
};
