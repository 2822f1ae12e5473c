import type { ViewKind } from './index.ts';

/** Every kind of view, at run time (the workbench checks manifests against it). */
export const VIEW_KINDS = ['state-machine', 'attempts', 'keyed-bars', 'flow', 'board', 'table', 'charts', 'custom'] as const satisfies readonly ViewKind[];

// A kind added to ViewSpec but not here is a type error.
type Missing = Exclude<ViewKind, (typeof VIEW_KINDS)[number]>;
export const viewKindsComplete: Missing extends never ? true : never = true;
