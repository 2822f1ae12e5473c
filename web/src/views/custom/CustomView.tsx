/**
 * A view a pattern truly needs for itself (`kind: 'custom'`): the default
 * export of `patterns/<id>/<name>.view.tsx`, loaded when a lab asks for it.
 * Unlike the generic views it is part of the web build.
 */
import { lazy, Suspense, type ComponentType } from 'react';
import type { CustomViewSpec } from '../../../../patterns/kit/index.ts';
import type { ViewProps } from '../types.ts';
import { customViewKey, customViewProblem } from './loader.ts';

type ViewModule = { default: ComponentType<ViewProps<CustomViewSpec>> };

const MODULES = import.meta.glob<ViewModule>('../../../../patterns/*/*.view.tsx');
const BUNDLED = new Set(Object.keys(MODULES));
const loaded = new Map<string, ComponentType<ViewProps<CustomViewSpec>>>();

export const CustomView = (props: ViewProps<CustomViewSpec>) => {
  const { patternId, spec } = props;
  const problem = customViewProblem(patternId, spec.component, BUNDLED);
  if (problem) return <p className="muted">{problem}</p>;
  const key = customViewKey(patternId, spec.component);
  let Component = loaded.get(key);
  if (!Component) {
    Component = lazy(MODULES[key]!);
    loaded.set(key, Component);
  }
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Component {...props} />
    </Suspense>
  );
};
