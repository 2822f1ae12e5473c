/**
 * The lab contract: every lab of every pattern must pass this suite. A lab
 * starts, emits the core events and only event types that are declared (the
 * kit's or its pattern's), reacts to its fault points, stops cleanly leaving
 * no timers or sockets behind, and is deterministic on virtual time with a
 * fixed seed. The checks themselves are `labContract` (lab-harness.ts), which
 * the scaffold test also runs on a new pattern.
 */
import { describe, expect, it } from 'vitest';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { labContract, PATTERNS_DIR } from './lab-harness.ts';

const registry = await PatternRegistry.load(PATTERNS_DIR);
const labs = registry.list().flatMap(({ manifest }) => manifest.labs.map((lab) => ({ pattern: manifest, lab })));

describe.each(labs.map(({ pattern, lab }) => [`${pattern.id}/${lab.id}`, pattern, lab] as const))('lab %s', (_name, pattern, lab) =>
  labContract(pattern, lab),
);

it('finds at least one lab', () => {
  expect(labs.length).toBeGreaterThan(0);
});
