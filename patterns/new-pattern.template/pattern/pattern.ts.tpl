/**
 * The manifest of the __title__ pattern: what the catalog lists and the Lab
 * tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { basicParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { basicViews } from './views.ts';

export const pattern: PatternManifest = {
  id: '__id__',
  title: '__title__',
  category: '__category__',
  summary:
    'A new pattern, scaffolded: until its own implementation replaces it, its lab runs a small concurrency limit that turns calls away once too many are in flight.',
  editableFiles: ['__id__.ts'],
  telemetry,
  labs: [
    {
      id: 'basic',
      title: 'Requests call a backend through a limit',
      summary:
        'Each request to GET /items calls the backend service through a concurrency limit. Slow the backend down and watch the limit turn calls away instead of letting them pile up.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'backend',
          kind: 'http',
          title: 'Backend service',
          description:
            'The downstream every request calls. Slow it down and each call holds its slot longer, so the limit fills up; errors and hangs end the call (a hang at the call timeout).',
        },
      ],
      params: basicParams.specs,
      views: basicViews,
      // What the Lab tab says once a run starts: the main view (the first) to watch, and one thing to try.
      guide: {
        watch: 'Watch the **Request log**: while the backend is quick every call gets a slot; slow it down and the limit turns calls away at once.',
        tryFirst: { label: 'Slow the backend down', fault: { point: 'backend', preset: 'slow' } },
      },
      defaultLoad: { model: 'open', rate: 20 },
      invariants: [
        {
          id: 'in-flight-within-limit',
          description: 'Never more calls in flight to the backend than the concurrency limit allows, whatever the load and the faults.',
        },
      ],
    },
  ],
};
