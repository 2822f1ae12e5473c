/**
 * The generic views, one per kind of `ViewSpec`. A lab's manifest lists the
 * views it wants as data; nothing here names a pattern. A pattern's own
 * view (`kind: 'custom'`) is a `*.view.tsx` file in its folder, found by the
 * glob below and loaded when a lab asks for it.
 */
import '../styles/lab.css';
import { lazy, Suspense, type ComponentType } from 'react';
import type { CustomViewSpec } from '../../../patterns/kit/index.ts';
import { AttemptsView } from './attempts/AttemptsView.tsx';
import { BoardView } from './board/BoardView.tsx';
import { ChartsView } from './charts/ChartsView.tsx';
import { FlowView } from './flow/FlowView.tsx';
import { KeyedBarsView } from './keyed-bars/KeyedBarsView.tsx';
import { StateMachineView } from './state-machine/StateMachineView.tsx';
import { TableView } from './table/TableView.tsx';
import type { ViewComponents, ViewProps } from './types.ts';

type ViewModule = { default: ComponentType<ViewProps<CustomViewSpec>> };

/** Patterns' own views, by repository path (`patterns/<id>/<name>.view.tsx`). */
const CUSTOM_VIEWS = import.meta.glob<ViewModule>('../../../patterns/*/*.view.tsx');

/** The loader of a pattern's own view, from a glob map keyed as Vite keys it. */
export const customViewLoader = (
  modules: Record<string, () => Promise<ViewModule>>,
  patternId: string,
  component: string,
): (() => Promise<ViewModule>) | undefined => modules[`../../../patterns/${patternId}/${component}`];

const loaded = new Map<string, ComponentType<ViewProps<CustomViewSpec>>>();

const CustomView = (props: ViewProps<CustomViewSpec>) => {
  const key = `${props.patternId}/${props.spec.component}`;
  let Component = loaded.get(key);
  if (!Component) {
    const load = customViewLoader(CUSTOM_VIEWS, props.patternId, props.spec.component);
    if (!load) return <p className="muted">This lab asks for patterns/{key}, which the workbench was not built with (rebuild it: npm run build).</p>;
    Component = lazy(load);
    loaded.set(key, Component);
  }
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Component {...props} />
    </Suspense>
  );
};

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
