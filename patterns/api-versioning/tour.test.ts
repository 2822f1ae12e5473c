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
  // What the learner does at each step, and how long the step takes to show.
  const steps: Array<[() => Promise<void>, number]> = [
    [async () => undefined, 5_000],
    [() => run.setParams({ unversionedShare: 0.5 }), 5_000],
    [
      async () => {
        // The learner makes v2's change take nothing back: the exercise's starter.
        const starter = await loadStarterVariant('api-versioning', '02-write-a-version-transformation', lab.module);
        variants.push(starter);
        await run.deploy(starter.module);
        // What the run host says after a save.
        run.emit({ type: 'run.deployed', file: 'versions.ts', version: 2 });
      },
      5_000,
    ],
    [
      async () => {
        await run.deploy(await loadLabModule(pattern, lab));
        run.emit({ type: 'run.deployed', file: 'versions.ts', version: 3 });
      },
      5_000,
    ],
    [async () => undefined, 65_000],
    [() => run.setParams({ unversionedShare: 0.5, mix: 'legacy', migrationS: 0, sunsetAfterS: 10 }), 5_000],
  ];
  for (const [index, [act, ms]] of steps.entries()) {
    await act();
    await clock.advance(ms);
    const progress = tourProgress(tour, events, 0);
    expect(progress.done, `step ${index + 1}, "${tour.steps[index]!.title}", is ticked`).toBeGreaterThan(index);
  }
  await run.stop();
  expect(tourProgress(tour, events, 0).complete).toBe(true);
}, 60_000);
