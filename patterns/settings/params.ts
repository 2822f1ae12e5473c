/**
 * The service lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`serviceParams.specs`) and lab.ts reads them typed, defaults
 * included (`serviceParams.read(ctx.params)`). The two texts are the
 * service's inputs, as its platform would hand them over; the lab changes
 * them in place (its `updateParams`), and the strategy decides whether the
 * running service notices.
 */
import { defineParams } from '../kit/index.ts';

export const DEFAULT_ENVIRONMENT = ['APP_ENV=production', 'PRICING_API_KEY=sk_live_51HxQ2b7Kq9v3Tz8'].join('\n');

export const DEFAULT_DOTENV = [
  '# .env: the quote service\'s settings',
  'POOL_SIZE=4',
  'REQUEST_TIMEOUT_MS=800',
  'PRICING_URL=https://pricing.internal/v2',
  'LOG_LEVEL=info',
].join('\n');

export const serviceParams = defineParams({
  environment: {
    label: 'Environment',
    description:
      'The process environment, one VAR=value a line (no quotes: a value is everything after the =). It wins over the .env file. APP_ENV picks the profile of defaults (development, staging, production).',
    type: 'text',
    default: DEFAULT_ENVIRONMENT,
    maxLength: 2_000,
    rows: 4,
  },
  dotenv: {
    label: '.env file',
    description:
      'The service’s .env file: VAR=value lines, # comments, quotes allowed. The settings it reads: APP_ENV, POOL_SIZE, REQUEST_TIMEOUT_MS, PRICING_URL, PRICING_API_KEY (a secret), LOG_LEVEL.',
    type: 'text',
    default: DEFAULT_DOTENV,
    maxLength: 4_000,
    rows: 7,
  },
  reloadStrategy: {
    label: 'Reload strategy',
    description:
      'cached: the settings are read once, at start, as `@lru_cache` on `get_settings()` does; later changes wait for a restart, silently. reload: the service re-reads its sources when they change and every second, validates them, and keeps its old settings when the new ones are invalid. Changing the strategy restarts the service.',
    type: 'enum',
    default: 'reload',
    options: [
      { value: 'reload', label: 'reload: validate, then swap' },
      { value: 'cached', label: 'cached: read once (@lru_cache)' },
    ],
  },
});

export type ServiceParams = typeof serviceParams.defaults;
