import type { ViewSpecBase } from './common.ts';

/**
 * A view a pattern truly needs for itself: a React component in the
 * pattern's folder (`<name>.view.tsx`, exporting `default`), given the same
 * props as the generic views. It is part of the web build, so prefer the
 * generic views: they need no rebuild.
 */
export interface CustomViewSpec extends ViewSpecBase {
  kind: 'custom';
  /** A file in the pattern folder: `heatmap.view.tsx`. */
  component: string;
}
