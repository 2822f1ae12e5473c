/**
 * Validation of everything the API accepts. Each schema mirrors a kit type;
 * the `satisfies` checks at the bottom fail to compile if the two drift apart.
 */
import { z } from 'zod';
import type { FaultSpec, LoadProfile, ParamSpec, Params } from '../../patterns/kit/index.ts';
import { healthySpec } from '../../patterns/kit/index.ts';

/*
 * Messages speak the lab forms' words and units ("Latency must be at least
 * 0 ms"), not the body's field names: the web shows them to the learner.
 * The field's path still leads each message (see describeZodError).
 */
const withUnit = (value: number, unit: string | undefined) => (unit ? `${value} ${unit}` : String(value));

/** A number from `min` to `max` whose every failure names the field as the form does. */
const bounded = (label: string, min: number, max: number, options: { unit?: string; integer?: boolean; above?: boolean } = {}) => {
  const { unit } = options;
  let schema = z.number({ error: `${label} must be a number` });
  if (options.integer) schema = schema.int({ error: `${label} must be a whole number` });
  schema = options.above
    ? schema.gt(min, { error: `${label} must be more than ${withUnit(min, unit)}` })
    : schema.min(min, { error: `${label} must be at least ${withUnit(min, unit)}` });
  return schema.max(max, { error: `${label} must be at most ${withUnit(max, unit)}` });
};

/** A share 0–1 in the body, a percentage in the form. */
const share = (label: string) => {
  const message = `${label} must be from 0 to 100 % (a share from 0 to 1)`;
  return z.number({ error: `${label} must be a number` }).min(0, { error: message }).max(1, { error: message });
};
const millis = (label: string) => bounded(label, 0, 3_600_000, { unit: 'ms' });

const faultError = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z
      .number({ error: 'Status must be a number' })
      .int({ error: 'Status must be from 400 to 599' })
      .min(400, { error: 'Status must be from 400 to 599' })
      .max(599, { error: 'Status must be from 400 to 599' }),
    retryAfterSeconds: bounded('Retry-After', 0, 3600, { unit: 's' }).optional(),
  }),
  z.object({ kind: z.literal('reset') }),
  z.object({ kind: z.literal('hang') }),
  z.object({ kind: z.literal('down') }),
  z.object({ kind: z.literal('exception'), message: z.string().max(500, { error: 'The exception message may hold at most 500 characters' }).optional() }),
  // The database point's errors (SQLITE_BUSY, SQLITE_LOCKED).
  z.object({ kind: z.literal('busy') }),
  z.object({ kind: z.literal('locked') }),
]);

const faultWindow = z
  .object({
    startMs: millis('A window’s start (from)'),
    durationMs: bounded('A window’s duration (for)', 0, 3_600_000, { unit: 'ms', above: true }),
    errorRate: share('A window’s error rate').optional(),
    error: faultError.optional(),
    repeatEveryMs: bounded('A window’s repeat (every)', 0, 3_600_000, { unit: 'ms', above: true }).optional(),
  })
  .refine((w) => w.repeatEveryMs === undefined || w.repeatEveryMs > w.durationMs, {
    message: 'A window’s repeat (every) must be longer than its duration (for)',
    path: ['repeatEveryMs'],
  });

/** A fault spec as sent: any field left out keeps the healthy default. */
export const faultSpecSchema = z
  .object({
    enabled: z.boolean(),
    errorRate: share('Error rate'),
    error: faultError,
    latency: z.object({ baseMs: millis('Latency'), jitterMs: millis('Latency jitter'), rate: share('Share of calls slowed') }).strict(),
    failFirst: bounded('Fail first', 0, 1_000_000, { unit: 'calls', integer: true }),
    schedule: z.array(faultWindow).max(50, { error: 'The schedule may hold at most 50 windows' }),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
  })
  .strict()
  .partial()
  .transform((partial): FaultSpec => {
    const base = healthySpec();
    // Sending any fault at all means "inject it" unless enabled is said explicitly.
    return { ...base, ...partial, enabled: partial.enabled ?? true };
  });

const bounds = {
  durationMs: bounded('Duration', 0, 24 * 3_600_000, { unit: 'ms', above: true }).optional(),
  amount: bounded('Amount', 0, 100_000_000, { unit: 'requests', integer: true, above: true }).optional(),
  clients: bounded('Client keys', 1, 10_000, { integer: true }).optional(),
};

export const loadProfileSchema = z.discriminatedUnion('model', [
  z
    .object({
      model: z.literal('open'),
      rate: bounded('Rate', 0, 20_000, { unit: 'req/s' }),
      stages: z
        .array(
          z
            .object({
              durationMs: bounded('A stage’s duration', 0, 24 * 3_600_000, { unit: 'ms', above: true }),
              target: bounded('A stage’s target rate', 0, 20_000, { unit: 'req/s' }),
            })
            .strict(),
        )
        .max(50, { error: 'At most 50 stages' })
        .optional(),
      ...bounds,
    })
    .strict(),
  z
    .object({
      model: z.literal('closed'),
      concurrency: bounded('Concurrency', 1, 2_000, { integer: true }),
      thinkTimeMs: millis('Think time').optional(),
      ...bounds,
    })
    .strict(),
  z.object({ model: z.literal('none') }).strict(),
]);

/** Largest file a save or a pinned run takes, in characters. */
export const MAX_FILE_CHARS = 500_000;
/** Largest pinned code of one run, all files together, in characters. */
export const MAX_PINNED_CHARS = 900_000;

/**
 * Code a run runs in place of the pattern's files, for that run only: file name → content.
 * Which names are allowed depends on the pattern; the route checks them against its editable files.
 */
export const pinnedCodeSchema = z
  .record(z.string().min(1).max(200), z.string().max(MAX_FILE_CHARS))
  .refine((code) => Object.keys(code).length > 0, { message: 'name at least one editable file' })
  .refine((code) => Object.values(code).reduce((sum, content) => sum + content.length, 0) <= MAX_PINNED_CHARS, {
    message: `the files together may hold at most ${MAX_PINNED_CHARS} characters`,
  });

export const startRunSchema = z
  .object({ patternId: z.string().min(1), lab: z.string().min(1).optional(), code: pinnedCodeSchema.optional() })
  .strict();

export const saveFileSchema = z.object({ content: z.string().max(MAX_FILE_CHARS) }).strict();

export const restoreVersionSchema = z.object({ version: z.number().int().positive() }).strict();

/** Checks parameter values against a lab's declarations; unknown ids and out-of-range values are errors. */
export const paramsSchema = (specs: readonly ParamSpec[]) =>
  z.object(
    Object.fromEntries(
      specs.map((spec) => {
        switch (spec.type) {
          case 'number':
          case 'integer': {
            // The params form's words: "Reset timeout must be from 1000 to 60000 ms".
            const range = `${spec.label} must be from ${spec.min} to ${withUnit(spec.max, spec.unit)}`;
            let schema = z.number({ error: `${spec.label} must be a number` });
            if (spec.type === 'integer') schema = schema.int({ error: `${spec.label} must be a whole number` });
            return [spec.id, schema.min(spec.min, { error: range }).max(spec.max, { error: range }).optional()];
          }
          case 'enum':
            return [
              spec.id,
              z
                .enum(spec.options.map((o) => o.value) as [string, ...string[]])
                .superRefine((value, check) => {
                  // An option this workbench cannot run (what it needs was not given at start).
                  const option = spec.options.find((o) => o.value === value);
                  if (option?.unavailable) check.addIssue({ code: 'custom', message: `${option.label} ${option.unavailable}` });
                })
                .optional(),
            ];
          case 'boolean':
            return [spec.id, z.boolean().optional()];
          case 'text':
            return [spec.id, z.string().max(spec.maxLength).optional()];
        }
      }),
    ),
  ).strict();

export const defaultParams = (specs: readonly ParamSpec[]): Params =>
  Object.fromEntries(specs.map((spec) => [spec.id, spec.default]));

// Compile-time checks that the schemas produce the kit's types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const loadMatches: Same<z.infer<typeof loadProfileSchema>, LoadProfile> = true;
const faultMatches: Same<z.output<typeof faultSpecSchema>, FaultSpec> = true;
void loadMatches;
void faultMatches;
