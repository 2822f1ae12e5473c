/**
 * Secrets, typed as secrets. A `Secret` holds a value (an API key, a
 * password) that the code may use but must never show: however it is printed
 * (`String(s)`, a template literal), logged (`console.log`, a logger that
 * serialises its fields), serialised (`JSON.stringify`, an API response) or
 * quoted in a validation error, what comes out is the mask. The one way to the
 * value is `reveal()`, a call you can search for in a code review.
 *
 * pydantic calls it `SecretStr`; the widely copied Python version types its
 * `secret_key` and `external_api_key` as plain `str`, so the first
 * `logger.info(settings)` writes them into the logs.
 */
import { z } from '../kit/index.ts';

/** What a secret prints as, everywhere. It says nothing about the value, not even its length. */
export const MASK = '**********';

/** Node's hook for `console.log` and `util.inspect` (a registered symbol: no import of node:util). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  // A real private field (#), not TypeScript's `private`: `private` vanishes at run time, and
  // JSON.stringify, `{ ...secret }`, Object.entries and structuredClone would all copy the value.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself, for the one place that needs it (an Authorization header). */
  reveal(): string {
    return this.#value;
  }

  /** Printing: `String(secret)`, `${secret}`, string concatenation. */
  toString(): string {
    return MASK;
  }

  /** Serialising: JSON.stringify, an API response body, a logger that writes JSON. */
  toJSON(): string {
    return MASK;
  }

  /** Logging with console.log or util.inspect, which print objects field by field and ignore toString. */
  [INSPECT](): string {
    return `Secret(${MASK})`;
  }
}

/** Schemas made by `secret()`: the resolver asks, to mask what it quotes in an error. */
const secretSchemas = new WeakSet<z.ZodType>();

/**
 * A setting that is a secret: the value must pass `schema` (a minimum length,
 * a prefix) and comes out as a `Secret`. Make it optional or give it a default
 * outside: `secret(z.string().min(16)).optional()`.
 */
export const secret = (schema: z.ZodType<string, string> = z.string()) => {
  const wrapped = schema.transform((value) => new Secret(value));
  secretSchemas.add(wrapped);
  return wrapped;
};

/** Whether a field of a settings schema is a secret, through `.optional()` and `.default()`. */
export const isSecretSchema = (schema: z.ZodType): boolean => {
  let current: z.ZodType = schema;
  while (!secretSchemas.has(current)) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else {
      return false;
    }
  }
  return true;
};

/**
 * How a validation error quotes what a setting received: the raw text, quoted,
 * or the mask for a secret. An error message is printed, logged and sent to
 * error trackers: a secret that failed validation (a key pasted with a
 * trailing newline, a truncated one) is still the secret.
 */
export const quoteReceived = (raw: string, isSecret: boolean): string => (isSecret ? MASK : JSON.stringify(raw));
