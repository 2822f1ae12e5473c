/**
 * The guided tour of the basic lab: one step, the limit turning calls away
 * from a slow backend. Plain data: each step is ticked off by the run's own
 * events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'basic',
  title: 'Watch the limit turn calls away',
  intro:
    'Every request calls the **backend** service through a concurrency limit: at most 4 calls in flight (the **Concurrency limit** ' +
    'parameter). You will slow the backend down and watch the limit turn calls away instead of letting them pile up.',
  steps: [
    {
      title: 'Slow the backend down',
      instruction:
        'Press **Start run**: the **Load** panel sends 20 `GET /items` requests a second, each answered in a few milliseconds. ' +
        'Then, in the **Faults: Backend service** panel, press **Slow** (800 ms ± 200 ms added to every call) and watch the **Decisions** table.',
      until: [
        { type: 'fault.changed', where: { point: 'backend', 'spec.enabled': true } },
        { type: '__id__.decision', where: { admitted: false }, count: 5 },
      ],
      explanation:
        'Each call now holds its slot for about 800 ms, so 4 slots serve about 5 requests a second, not 20. The others are turned ' +
        'away at once (`rejected`, a 503 in no time) instead of queueing behind the slow backend and tying up their callers too. ' +
        'Press **Clear** in the faults panel and every request is admitted again.',
    },
  ],
};
