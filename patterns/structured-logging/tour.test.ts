import { expect, it } from 'vitest';
import { tourProgress } from '../../web/src/pages/pattern/tour/tour-progress.ts';
import { startVirtualLab } from '../../test/contract/lab-harness.ts';
import { fault } from '../../test/contract/scenarios/scenario.ts';
import { pattern } from './pattern.ts';
import { tour } from './tour.ts';

const lab = pattern.labs.find((l) => l.id === tour.lab)!;

it('the tour can be followed to its end on virtual time, each step ticked by the events it names', async () => {
  const { run, clock, events } = await startVirtualLab(pattern, lab, { seed: 5 });
  const steps: Array<() => Promise<void> | void> = [
    () => undefined,
    () => run.setParams({ redaction: false }),
    async () => {
      await run.setParams({ redaction: true, carrier: 'module-variable' });
      run.setLoad({ model: 'open', rate: 150, clients: 4 });
    },
    () => run.setParams({ carrier: 'async-call', sampling: false }),
    async () => {
      await run.setParams({ sampling: true });
      run.setFault('payments', fault({ errorRate: 0.5, error: { kind: 'status', status: 503 } }));
    },
  ];
  for (const [index, act] of steps.entries()) {
    await act();
    await clock.advance(4_000);
    const progress = tourProgress(tour, events, 0);
    expect(progress.done, `step ${index + 1}, "${tour.steps[index]!.title}", is ticked`).toBeGreaterThan(index);
  }
  await run.stop();
  expect(tourProgress(tour, events, 0).complete).toBe(true);
}, 60_000);
