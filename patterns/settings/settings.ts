/**
 * Typed settings, declared once as a zod schema and resolved from their
 * sources in order of precedence, as pydantic-settings does (profiles are
 * ours):
 *
 *   the schema's defaults < the profile's < the .env file < the environment < explicit overrides
 *
 * The sources are inputs (`SettingsSources`), not globals: this file never
 * reads `process.env` or a file itself. Whoever starts the service hands them
 * over, so a test passes a record and the lab passes what its panel edits.
 *
 * Resolving either gives every setting with its value and the source it came
 * from, or throws one `SettingsError` that lists every problem at once: each
 * naming the variable, where its value came from and what was expected. A
 * service that starts with half its settings checked fails later, in front of
 * a user; one that reports one error per restart costs a deploy per typo.
 */
import { z } from '../kit/index.ts';
import { expectedOfSecret, isSecretSchema, MASK, quoteReceived, Secret } from './secret.ts';

/** Where a setting's value came from, weakest first. */
export type SettingSource = 'default' | 'profile' | '.env' | 'environment' | 'override';

/** The raw inputs, as text: what the platform hands a service when it starts. */
export interface SettingsSources {
  /** The text of the .env file, if there is one. */
  dotenv?: string;
  /** The process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Explicit values (a test, a command-line flag): they win over every other source. */
  overrides?: Readonly<Record<string, string>>;
}

export interface ResolveOptions {
  /**
   * Defaults per environment (`development`, `production`, …): raw values by
   * variable, layered above the schema's defaults and below the .env file.
   */
  profiles?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The variable naming the profile. Default `APP_ENV`. */
  profileVariable?: string;
}

/**
 * One thing wrong with the settings: a setting's value (`kind: 'setting'`,
 * naming its variable), or a line of the .env file that is no setting at all
 * (`kind: 'line'`, naming its line).
 */
export type SettingIssue =
  | {
      kind: 'setting';
      /** The environment variable (`POOL_SIZE`). */
      variable: string;
      /** Where the value came from; `missing` when no source sets a required setting. */
      source: SettingSource | 'missing';
      /** The .env line, when the value came from there. */
      line?: number;
      /** What was expected, in words. */
      expected: string;
      /** What was received, quoted; the mask for a secret. */
      received?: string;
    }
  | { kind: 'line'; variable?: undefined; source: '.env'; line: number; expected: string; received?: undefined };

/** The settings are invalid: `issues` lists every problem found, not just the first. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';

  constructor(readonly issues: readonly SettingIssue[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} with the settings:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

const SOURCE_NAMES: Record<SettingSource, string> = {
  default: 'the default',
  profile: 'the profile',
  '.env': '.env',
  environment: 'the environment',
  override: 'an override',
};

const whereOf = (issue: SettingIssue): string =>
  issue.source === 'missing'
    ? 'not set'
    : issue.source === '.env' && issue.line !== undefined
      ? `from .env, line ${issue.line}`
      : `from ${SOURCE_NAMES[issue.source]}`;

/** `POOL_SIZE (from .env, line 2): expected a whole number, received "four"`. */
export const formatIssue = (issue: SettingIssue): string =>
  issue.kind === 'line'
    ? `.env, line ${issue.line}: ${issue.expected}`
    : `${issue.variable} (${whereOf(issue)}): ${issue.expected}${issue.received === undefined ? '' : `, received ${issue.received}`}`;

/** One setting as resolved: how to show it, and where it came from. */
export interface ResolvedSetting {
  key: string;
  variable: string;
  source: SettingSource;
  secret: boolean;
  /** The value as text, the mask for a secret. */
  display: string;
  line?: number;
}

export interface ResolvedSettings<T> {
  /** The typed values: numbers are numbers, secrets are `Secret`s. Frozen. */
  readonly values: Readonly<T>;
  /** The profile in use: the one the profile variable names, or its default in the schema does; undefined if none matches. */
  readonly profile: string | undefined;
  /** Each setting, in the schema's order. */
  readonly settings: readonly ResolvedSetting[];
  /** Variables of the .env file that no setting reads: a typo, more often than not. */
  readonly unknown: readonly string[];
}

/** `poolSize` → `POOL_SIZE`: the variable a setting is read from. */
export const envName = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

export interface DotenvValue {
  value: string;
  line: number;
}

/**
 * Reads a .env file: `KEY=value` lines, `export KEY=value`, `#` comments and
 * blank lines. An unquoted value ends at ` #` (a comment) and is trimmed. In
 * single quotes a value is literal. In double quotes `\"` is a quote, `\\` a
 * backslash, `\n` a newline and `\t` a tab (decoded in one pass, so `\\n` is
 * a backslash then `n`). After a closing quote, only blanks or a ` # comment`
 * may follow. A later line for the same key wins. A value is one line:
 * multi-line values (a quote left open across lines) are not supported, and a
 * quote left open is an issue. Every line that is none of these is an issue;
 * its text is not quoted, since it may hold a secret.
 */
export const parseDotenv = (text: string): { values: Map<string, DotenvValue>; issues: SettingIssue[] } => {
  const values = new Map<string, DotenvValue>();
  const issues: SettingIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      issues.push({ kind: 'line', source: '.env', line, expected: 'expected KEY=value, a # comment or a blank line' });
      return;
    }
    const value = unquote(match[2]!);
    if (typeof value !== 'string') {
      issues.push({ kind: 'line', source: '.env', line, expected: value.problem });
      return;
    }
    values.set(match[1]!, { value, line });
  });
  return { values, issues };
};

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', t: '\t' };

/** The value of a .env line (after `=`), or what is wrong with it. */
const unquote = (value: string): string | { problem: string } => {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value.replace(/\s+#.*$/, '').trim();
  // Single quotes: up to the next one. Double quotes: up to the next one no backslash escapes.
  const quoted = quote === "'" ? /^'([^']*)'(.*)$/.exec(value) : /^"((?:[^"\\]|\\.)*)"(.*)$/.exec(value);
  if (!quoted) return { problem: 'expected a closing quote (a value is one line)' };
  if (!/^(?:\s*|\s+#.*)$/.test(quoted[2]!)) return { problem: 'expected only a # comment after the closing quote' };
  // One pass, so an escaped backslash is never read again as the start of an escape.
  return quote === "'" ? quoted[1]! : quoted[1]!.replace(/\\(.)/g, (escape, c: string) => ESCAPES[c] ?? escape);
};

/** A value found for a variable: the strongest source that has one. */
interface Found {
  value: string;
  source: SettingSource;
  line?: number;
}

/**
 * Resolves `schema` from `sources`: every setting, typed and with its source,
 * or a `SettingsError` listing every problem (see the top of this file).
 */
export function resolveSettings<S extends z.ZodObject>(schema: S, sources: SettingsSources, options: ResolveOptions = {}): ResolvedSettings<z.output<S>> {
  const dotenv = parseDotenv(sources.dotenv ?? '');
  const issues: SettingIssue[] = [...dotenv.issues];

  type Layer = (variable: string) => Found | undefined;
  const fromOverrides: Layer = (v) => (sources.overrides?.[v] !== undefined ? { value: sources.overrides[v], source: 'override' } : undefined);
  const fromEnvironment: Layer = (v) => (sources.env?.[v] !== undefined ? { value: sources.env[v], source: 'environment' } : undefined);
  const fromDotenv: Layer = (v) => {
    const entry = dotenv.values.get(v);
    return entry && { value: entry.value, source: '.env', line: entry.line };
  };
  // Strongest first: the first layer that sets a variable gives its value. What an operator sets
  // for this one process (the environment) beats the file checked in beside the code (.env).
  const layers: Layer[] = [fromOverrides, fromEnvironment, fromDotenv];
  const raw = (variable: string): Found | undefined => {
    for (const layer of layers) {
      const found = layer(variable);
      if (found) return found;
    }
    return undefined;
  };

  // The profile is chosen by a variable of the other sources, then layered under all of them:
  // its values are defaults, for what nobody set. When no source names it, the schema's default
  // for that variable does: the profile in use is the one the settings show.
  const profileVariable = options.profileVariable ?? 'APP_ENV';
  const profileField = Object.entries(schema.shape as Record<string, z.ZodType>).find(([key]) => envName(key) === profileVariable)?.[1];
  const profileDefault = profileField?.safeParse(undefined).data;
  const profileName = raw(profileVariable)?.value ?? (typeof profileDefault === 'string' ? profileDefault : undefined);
  const profile = profileName !== undefined ? options.profiles?.[profileName] : undefined;
  if (profile) layers.push((v) => (profile[v] !== undefined ? { value: profile[v], source: 'profile' } : undefined));

  const values: Record<string, unknown> = {};
  const settings: ResolvedSetting[] = [];
  for (const [key, field] of Object.entries(schema.shape) as Array<[string, z.ZodType]>) {
    const variable = envName(key);
    const found = raw(variable);
    const secret = isSecretSchema(field);
    const parsed = field.safeParse(found?.value);
    if (!parsed.success) {
      // Every issue of every setting: the loop goes on, and the error is thrown once, below.
      issues.push(...parsed.error.issues.map((zodIssue) => issueOf(variable, found, zodIssue, secret)));
      continue;
    }
    values[key] = parsed.data;
    // A value that came out a Secret is masked too, whatever the schema looked like.
    const masked = secret || parsed.data instanceof Secret;
    settings.push({
      key,
      variable,
      source: found?.source ?? 'default',
      secret: masked,
      display: masked ? MASK : parsed.data === undefined ? '(not set)' : String(parsed.data),
      ...(found?.line !== undefined && { line: found.line }),
    });
  }
  if (issues.length > 0) throw new SettingsError(issues);

  const known = new Set(settings.map((s) => s.variable));
  return {
    values: Object.freeze(values) as Readonly<z.output<S>>,
    profile: profile ? profileName : undefined,
    settings,
    unknown: [...dotenv.values.keys()].filter((v) => !known.has(v)),
  };
}

/**
 * An issue for `variable`; a value no source set is reported as missing. A
 * secret's issue says what was expected from the issue's code (its message
 * may quote the input) and masks what was received; so does an issue whose
 * check marks its input sensitive (`params: { sensitive: true }`, as the
 * check that refuses a password inside a URL does).
 */
const issueOf = (variable: string, found: Found | undefined, zodIssue: z.core.$ZodIssue, secret: boolean): SettingIssue => {
  if (found === undefined) return { kind: 'setting', variable, source: 'missing', expected: 'expected a value: it is required, and no source sets it' };
  const sensitive = zodIssue.code === 'custom' && (zodIssue.params as { sensitive?: unknown } | undefined)?.sensitive === true;
  return {
    kind: 'setting',
    variable,
    source: found.source,
    ...(found.line !== undefined && { line: found.line }),
    expected: secret ? expectedOfSecret(zodIssue) : zodIssue.message,
    received: quoteReceived(found.value, secret || sensitive),
  };
};
