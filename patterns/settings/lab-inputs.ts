/**
 * The lab's own reading of its inputs (the params' texts), kept apart from
 * the implementation on purpose: the environment is a record the platform
 * hands over, not a file to parse, and the secret values the lab watches for
 * in its output are found here, not asked of the code under test.
 */
import type { ServiceParams } from './params.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment text as a record: `VAR=value` a line, the value everything after the first `=`. */
export const environmentOf = (text: string): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('=');
    const name = line.slice(0, at).trim();
    if (at > 0 && NAME.test(name)) env[name] = line.slice(at + 1);
  }
  return env;
};

/**
 * A .env value read loosely: in quotes, what lies up to the closing quote (a
 * `#` inside is part of it; in double quotes `\"` and `\\` are decoded);
 * unquoted, what lies before a ` #` comment.
 */
const looseValue = (raw: string): string => {
  const text = raw.trim();
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    return end < 0 ? text.slice(1) : text.slice(1, end);
  }
  if (text.startsWith('"')) {
    const quoted = /^"((?:[^"\\]|\\.)*)"?/.exec(text)![1]!;
    return quoted.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
  }
  return text.replace(/\s+#.*$/, '').trim();
};

/** Shorter values would match by chance (a key of "x" is in every line): the schema asks for 16 characters anyway. */
const MIN_WATCHED_LENGTH = 8;

/**
 * The values the variables `names` have in the environment and the .env
 * text, as [value, variable]: read loosely (quotes and a trailing comment
 * dropped), since a value the service might read is worth watching for.
 */
export const secretValuesIn = (inputs: Pick<ServiceParams, 'environment' | 'dotenv'>, names: readonly string[]): Array<[string, string]> => {
  const found: Array<[string, string]> = [];
  const env = environmentOf(inputs.environment);
  for (const name of names) {
    const fromEnv = env[name];
    if (fromEnv !== undefined) found.push([fromEnv.trim(), name]);
    for (const line of inputs.dotenv.split(/\r?\n/)) {
      const match = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=(.*)$`).exec(line);
      if (match) found.push([looseValue(match[1]!), name]);
    }
  }
  return found.filter(([value]) => value.length >= MIN_WATCHED_LENGTH);
};
