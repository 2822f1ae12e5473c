/**
 * The quote service's settings, declared once: each setting's type, its
 * range, its default and whether it is a secret. The variable each is read
 * from is its name in capitals (`poolSize` ← `POOL_SIZE`). The lab's service
 * reads these; the type `AppSettings` is what its code sees.
 *
 * Environment values are text. The helpers below parse that text on purpose
 * rather than using `z.coerce`: `z.coerce.number()` reads an empty `POOL_SIZE=`
 * as 0, and `z.coerce.boolean()` reads `DEBUG=false` as true.
 */
import { z } from '../kit/index.ts';
import { secret } from './secret.ts';

/** A whole number between `min` and `max`, from its text. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { message: `expected at least ${min}` }).max(max, { message: `expected at most ${max}` }));

/** Whether `url` carries no username or password (`https://user:pass@host/`). */
const withoutCredentials = (url: string): boolean => {
  try {
    const { username, password } = new URL(url);
    return username === '' && password === '';
  } catch {
    return true; // not a URL at all: the URL check says so
  }
};

export const appSettingsSchema = z.object({
  /** Which profile of defaults applies (see `profiles`). */
  appEnv: z.enum(['development', 'staging', 'production'], { message: 'expected development, staging or production' }).default('development'),
  /** Connections to the pricing service the service may hold at once. */
  poolSize: wholeNumber(1, 20).default(5),
  /** How long a quote may take, waiting for a connection included, before it answers 504. */
  requestTimeoutMs: wholeNumber(50, 10_000).default(1_000),
  /**
   * Where the pricing service is. No default: a wrong guess would call the wrong service. A plain
   * URL, shown as it is: a username or password in it is refused (and not quoted), since a
   * credential belongs in a `secret()`, here PRICING_API_KEY.
   */
  pricingUrl: z.url({ protocol: /^https?$/, message: 'expected an http or https URL' }).refine(withoutCredentials, {
    message: 'expected a URL without a username or password: a credential goes in a secret (PRICING_API_KEY)',
    params: { sensitive: true },
  }),
  /** The key the pricing service knows this service by. A secret: masked wherever it is shown. */
  pricingApiKey: secret(z.string().min(16, { message: 'expected a key of at least 16 characters' })),
  logLevel: z.enum(['debug', 'info', 'warn', 'error'], { message: 'expected debug, info, warn or error' }).default('info'),
});

export type AppSettings = z.output<typeof appSettingsSchema>;

/**
 * Defaults per environment, above the schema's own and below everything
 * else. Never a secret here: a profile is code, and code is read by everyone
 * who can read the repository.
 */
export const profiles = {
  development: { POOL_SIZE: '2', REQUEST_TIMEOUT_MS: '3000', PRICING_URL: 'http://localhost:8080/v2', LOG_LEVEL: 'debug' },
  staging: { PRICING_URL: 'https://pricing.staging.internal/v2' },
  production: { LOG_LEVEL: 'warn' },
} satisfies Record<AppSettings['appEnv'], Record<string, string>>;
