import { fault, type Scenario } from './scenario.ts';

export const scenarios: Scenario[] = [
  {
    // The starter's Secret keeps its value in a TypeScript-private field and has no toJSON: the
    // "settings loaded" log line and every GET /settings answer serialise the API key in clear.
    pattern: 'settings',
    lab: 'service',
    exercise: '03-mask-a-secret-everywhere',
    invariant: 'no-secret-in-output',
    load: { model: 'open', rate: 20 },
    faults: [],
    untilMs: 3_000,
  },
  {
    // The starter's reload clears the settings first, as get_settings.cache_clear() does: a read
    // that finds the .env file empty (half the reads, from 1 s) leaves the running service without
    // settings, and its requests fail until a good read comes along.
    pattern: 'settings',
    lab: 'service',
    exercise: '04-reload-safely',
    invariant: 'invalid-change-keeps-last-good-settings',
    load: { model: 'open', rate: 20 },
    faults: [{ atMs: 1_000, point: 'config', spec: fault({ errorRate: 0.5, error: { kind: 'exception' } }) }],
    untilMs: 6_000,
  },
];
