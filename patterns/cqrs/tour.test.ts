import { afterAll, expect, it } from 'vitest';
import { tourProgress } from '../../web/src/pages/pattern/tour/tour-progress.ts';
import { loadLabModule, startVirtualLab } from '../../test/contract/lab-harness.ts';
import { loadStarterVariant, type StarterVariant } from '../../test/contract/starter-variants.ts';
import { pattern } from './pattern.ts';
import { tour } from './tour.ts';

const lab = pattern.labs.find((l) => l.id === tour.lab)!;
const variants: StarterVariant[] = [];
afterAll(() => variants.forEach((v) => v.dispose()));

it('the tour can be followed to its end on virtual time, each step ticked by the events it names', async () => {
  const { run, clock, events } = await startVirtualLab(pattern, lab, { seed: 5 });
  const steps: Array<() => Promise<void>> = [
    async () => undefined,
    () => run.setParams({ projectionDelayMs: 1_000 }),
    () => run.setParams({ consistency: 'wait-for-position' }),
    () => run.setParams({ consistency: 'write-side' }),
    async () => {
      await run.setParams({ projectionDelayMs: 0, redeliveryShare: 0.5 });
      // The learner deletes the check that skips events already applied: the exercise's starter.
      const starter = await loadStarterVariant('cqrs', '02-make-the-projection-idempotent', lab.module);
      variants.push(starter);
      await run.deploy(starter.module);
    },
    async () => {
      await run.deploy(await loadLabModule(pattern, lab));
      await run.setParams({ readModelVersion: 2 });
    },
  ];
  for (const [index, act] of steps.entries()) {
    await act();
    await clock.advance(6_000);
    const progress = tourProgress(tour, events, 0);
    expect(progress.done, `step ${index + 1}, "${tour.steps[index]!.title}", is ticked`).toBeGreaterThan(index);
  }
  // The rebuild of step 6 finds the orders the starter counted twice: fewer after than before.
  const [rebuild] = events.filter((e) => e.type === 'cqrs.rebuild') as Array<{ ordersBefore: number; ordersAfter: number }>;
  expect(rebuild!.ordersBefore).toBeGreaterThan(rebuild!.ordersAfter);
  await run.stop();
  expect(tourProgress(tour, events, 0).complete).toBe(true);
}, 60_000);
