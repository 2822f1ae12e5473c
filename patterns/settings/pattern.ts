/**
 * The manifest of the settings pattern: what the catalog lists and the Lab
 * tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { DEFAULT_DOTENV, serviceParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { serviceViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'settings',
  title: 'Settings management',
  category: 'operations',
  summary:
    'Declare a service’s settings once, typed, and resolve them from defaults, a profile, the .env file, the environment and overrides, in that order; refuse to start with every invalid value listed at once, mask secrets wherever they are printed, logged or serialised, and reload without ever running on settings that failed validation.',
  editableFiles: ['settings.ts', 'secret.ts', 'settings-store.ts', 'app-settings.ts'],
  telemetry,
  labs: [
    {
      id: 'service',
      title: 'A quote service and its settings',
      summary:
        'A quote service reads its pool size, timeout, pricing URL and API key from its environment and .env file, which you edit live. Watch each setting’s value and source, break one to see the start refused with every error at once, compare an ignored edit (cached, as `@lru_cache` does) with a validating reload, and catch a secret on its way into a log line.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'pricing',
          kind: 'http',
          title: 'Pricing service',
          description:
            'Called by every GET /quote, at PRICING_URL, with PRICING_API_KEY, through a pool of POOL_SIZE connections, within REQUEST_TIMEOUT_MS. Errors answer 502; latency holds connections longer, so a small pool queues and requests time out (504).',
        },
        {
          id: 'config',
          kind: 'in-process',
          title: 'Reading the config',
          description:
            'Each read of the environment and the .env file: at start, after an edit and, on the reload strategy, every second. A fault here is a deploy tool caught rewriting the .env file: the read finds it empty, so PRICING_URL goes missing. A validating reload refuses that and keeps the settings in use; a cached service never reads again.',
        },
      ],
      params: serviceParams.specs,
      views: serviceViews,
      guide: {
        watch:
          'Watch **The service** and **Settings by source**: each setting with the source it came from; a bad change is refused and the service keeps its last good settings.',
        tryFirst: { label: 'Push an invalid .env: POOL_SIZE=four', params: { dotenv: DEFAULT_DOTENV.replace('POOL_SIZE=4', 'POOL_SIZE=four') } },
      },
      defaultLoad: { model: 'open', rate: 10 },
      invariants: [
        {
          id: 'no-secret-in-output',
          description:
            'No secret’s value (PRICING_API_KEY, any value it has had) appears in what the service puts out: its log lines, its settings events, its API responses and its request errors. Wherever it is printed, logged or serialised, it is masked. (Its inputs, the Parameters, hold it in clear: that is where it comes from.)',
        },
        {
          id: 'invalid-change-keeps-last-good-settings',
          description:
            'Once the service has started, a change of its environment or .env file that fails validation never reaches it: every request is served on the last settings that validated, none fails because the settings could not be read.',
        },
      ],
    },
  ],
};
