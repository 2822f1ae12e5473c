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
 * `logger.info(settings)` writes them into the logs. `SecretStr` alone is not
 * the whole fix there: pydantic's `ValidationError` quotes each invalid
 * field's `input_value` (for a missing field, the whole input, secrets and
 * all) unless the model sets `hide_input_in_errors=True`. Here the resolver
 * masks what it quotes for a secret (`quoteReceived`).
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

/** What `secret()` turns a value into: one function, so a schema's secret can be found by it. */
const toSecret = (value: string): Secret => new Secret(value);

/**
 * A setting that is a secret: the value must pass `schema` (a minimum length,
 * a prefix) and comes out as a `Secret`. Make it optional or give it a default
 * outside: `secret(z.string().min(16)).optional()`.
 */
export const secret = (schema: z.ZodType<string, string> = z.string()) => schema.transform(toSecret);

/** Wrappers whose inner schema is at `def.innerType`. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
/** Schemas of a plain value: they hold no secret of their own. */
const PLAIN = new Set(['string', 'number', 'int', 'boolean', 'bigint', 'enum', 'literal', 'date', 'null', 'undefined', 'transform']);

/**
 * Whether a field of a settings schema holds a secret. It looks for the
 * transform `secret()` adds, not for the object `secret()` returned: zod's
 * `.describe()`, `.meta()` and `.refine()` return copies, and `.optional()`,
 * `.default()`, `.pipe()` and `z.preprocess()` wrap it. A schema it cannot see
 * into (a union, `z.lazy`, `z.custom`, …) counts as a secret: when in doubt,
 * an error masks a value it could have quoted, never the other way round.
 */
export const isSecretSchema = (schema: z.ZodType): boolean => {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; transform?: unknown };
  if (def.type === 'transform') return def.transform === toSecret;
  if (def.type === 'pipe') return isSecretSchema(def.in!) || isSecretSchema(def.out!);
  if (WRAPPERS.has(def.type)) return isSecretSchema(def.innerType!);
  return !PLAIN.has(def.type);
};

/**
 * What a secret's validation issue expected, in words, from the issue's code
 * and limits alone. Never its message: a custom message is a function of the
 * issue, which holds the input, and may quote it.
 */
export const expectedOfSecret = (issue: z.core.$ZodIssue): string => {
  switch (issue.code) {
    case 'too_small':
      return `expected at least ${String(issue.minimum)} characters`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)} characters`;
    case 'invalid_format':
      return `expected the format ${issue.format}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    default:
      return `expected a valid value (${issue.code})`;
  }
};

/**
 * How a validation error quotes what a setting received: the raw text, quoted,
 * or the mask for a secret. An error message is printed, logged and sent to
 * error trackers: a secret that failed validation (a key pasted with a
 * trailing newline, a truncated one) is still the secret.
 */
export const quoteReceived = (raw: string, isSecret: boolean): string => (isSecret ? MASK : JSON.stringify(raw));
