import { afterAll, expect, it } from 'vitest';
import { tourProgress } from '../../web/src/pages/pattern/tour/tour-progress.ts';
import { startVirtualLab } from '../../test/contract/lab-harness.ts';
import { loadStarterVariant, type StarterVariant } from '../../test/contract/starter-variants.ts';
import { DEFAULT_DOTENV } from './params.ts';
import { pattern } from './pattern.ts';
import { tour } from './tour.ts';

const lab = pattern.labs.find((l) => l.id === tour.lab)!;
const variants: StarterVariant[] = [];
afterAll(() => variants.forEach((v) => v.dispose()));

it('the tour can be followed to its end on virtual time, each step ticked by the events it names', async () => {
  const { run, clock, events } = await startVirtualLab(pattern, lab, { seed: 5 });
  const broken = DEFAULT_DOTENV.replace('POOL_SIZE=4', 'POOL_SIZE=four').replace('PRICING_URL=https://pricing.internal/v2\n', '');
  const steps: Array<() => Promise<void>> = [
    async () => undefined,
    () => run.setParams({ dotenv: DEFAULT_DOTENV.replace('REQUEST_TIMEOUT_MS=800', 'REQUEST_TIMEOUT_MS=50') }),
    () => run.setParams({ dotenv: broken }),
    () => run.setParams({ reloadStrategy: 'cached' }),
    async () => {
      await run.setParams({ dotenv: DEFAULT_DOTENV });
      await clock.advance(1_000);
      await run.setParams({ dotenv: DEFAULT_DOTENV.replace('POOL_SIZE=4', 'POOL_SIZE=2') });
    },
    async () => {
      await run.setParams({ reloadStrategy: 'reload', dotenv: DEFAULT_DOTENV });
      // The learner makes the field public and deletes toJSON: the exercise's starter does the same.
      const starter = await loadStarterVariant('settings', '03-mask-a-secret-everywhere', lab.module);
      variants.push(starter);
      await run.deploy(starter.module);
    },
  ];
  for (const [index, act] of steps.entries()) {
    await act();
    await clock.advance(6_000);
    const progress = tourProgress(tour, events, 0);
    expect(progress.done, `step ${index + 1}, "${tour.steps[index]!.title}", is ticked`).toBeGreaterThan(index);
  }
  await run.stop();
  expect(tourProgress(tour, events, 0).complete).toBe(true);
}, 60_000);
