/**
 * Validation of everything the API accepts. Each schema mirrors a kit type;
 * the `satisfies` checks at the bottom fail to compile if the two drift apart.
 */
import { z } from 'zod';
import type { FaultSpec, LoadProfile, ParamSpec, Params } from '../../patterns/kit/index.ts';
import { healthySpec } from '../../patterns/kit/index.ts';

const share = z.number().min(0).max(1);
const millis = z.number().min(0).max(3_600_000);

const faultError = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfterSeconds: z.number().min(0).max(3600).optional(),
  }),
  z.object({ kind: z.literal('reset') }),
  z.object({ kind: z.literal('hang') }),
  z.object({ kind: z.literal('down') }),
  z.object({ kind: z.literal('exception'), message: z.string().max(500).optional() }),
  // The database point's errors (SQLITE_BUSY, SQLITE_LOCKED).
  z.object({ kind: z.literal('busy') }),
  z.object({ kind: z.literal('locked') }),
]);

const faultWindow = z
  .object({
    startMs: millis,
    durationMs: z.number().positive().max(3_600_000),
    errorRate: share.optional(),
    error: faultError.optional(),
    repeatEveryMs: z.number().positive().max(3_600_000).optional(),
  })
  .refine((w) => w.repeatEveryMs === undefined || w.repeatEveryMs > w.durationMs, {
    message: 'repeatEveryMs must be longer than durationMs',
    path: ['repeatEveryMs'],
  });

/** A fault spec as sent: any field left out keeps the healthy default. */
export const faultSpecSchema = z
  .object({
    enabled: z.boolean(),
    errorRate: share,
    error: faultError,
    latency: z.object({ baseMs: millis, jitterMs: millis, rate: share }).strict(),
    failFirst: z.number().int().min(0).max(1_000_000),
    schedule: z.array(faultWindow).max(50),
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
  durationMs: z.number().positive().max(24 * 3_600_000).optional(),
  amount: z.number().int().positive().max(100_000_000).optional(),
  clients: z.number().int().min(1).max(10_000).optional(),
};

export const loadProfileSchema = z.discriminatedUnion('model', [
  z
    .object({
      model: z.literal('open'),
      rate: z.number().min(0).max(20_000),
      stages: z
        .array(z.object({ durationMs: z.number().positive().max(24 * 3_600_000), target: z.number().min(0).max(20_000) }).strict())
        .max(50)
        .optional(),
      ...bounds,
    })
    .strict(),
  z
    .object({
      model: z.literal('closed'),
      concurrency: z.number().int().min(1).max(2_000),
      thinkTimeMs: millis.optional(),
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
            return [spec.id, z.number().min(spec.min).max(spec.max).optional()];
          case 'integer':
            return [spec.id, z.number().int().min(spec.min).max(spec.max).optional()];
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
