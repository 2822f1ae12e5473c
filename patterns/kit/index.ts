/** The kit: everything pattern code and labs may import. It depends on nothing. */
export * from './checks.ts';
export * from './clock.ts';
export * from './database.ts';
export * from './deadline.ts';
export * from './events.ts';
export * from './faults.ts';
export * from './http.ts';
export * from './lab.ts';
export * from './load.ts';
export * from './params.ts';
export * from './random.ts';
export * from './telemetry.ts';
export * from './tour.ts';
export * from './invariants.ts';
export type * from './views/index.ts';
export * from './views/presets.ts';
export * from './views/kinds.ts';
export * from './job-queue.ts';
