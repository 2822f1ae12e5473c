/**
 * Exercise checks: named, tagged with the task they check, run against the
 * learner's code on a virtual clock. A failed expectation says what was
 * expected and what happened, in words a learner can act on.
 */
import { VirtualClock } from './clock.ts';
import { unavailableDatabase, type LabDatabase } from './database.ts';
import { SeededRandom } from './random.ts';

/** What each check gets: a fresh virtual clock and seeded random source, and expectations. */
export interface CheckContext {
  clock: VirtualClock;
  random: SeededRandom;
  expect: Expectations;
  /** A fresh in-memory SQLite database for this check, on its clock (statements are not recorded). */
  db: LabDatabase;
}

export interface Check {
  /** The task (`## N. …` in exercise.md) this check belongs to. */
  task: number;
  /** Says what is checked, as a learner reads it: "opens after 5 failures in a row". */
  name: string;
  run(context: CheckContext): void | Promise<void>;
}

/** Groups an exercise's checks; `checks.ts` exports the result as default. */
export const defineChecks = (checks: Check[]): Check[] => checks;

/** A check that did not hold: the message is shown to the learner as is. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';

  constructor(
    message: string,
    readonly expected?: unknown,
    readonly actual?: unknown,
  ) {
    super(message);
  }
}

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

const deepEqual = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((k) => deepEqual((a as never)[k], (b as never)[k]));
};

/** Small, readable assertions. `what` names the thing checked: "the state after 5 failures". */
export interface Expectations {
  equal<T>(actual: T, expected: T, what: string): void;
  ok(condition: unknown, message: string): void;
  between(actual: number, min: number, max: number, what: string): void;
  atMost(actual: number, max: number, what: string): void;
  atLeast(actual: number, min: number, what: string): void;
  /** Runs `fn` and expects it to throw (or reject); returns what was thrown. */
  rejects(fn: () => unknown, what: string, matches?: (error: unknown) => boolean): Promise<unknown>;
  fail(message: string): never;
}

export const expectations: Expectations = {
  equal(actual, expected, what) {
    if (!deepEqual(actual, expected)) {
      throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`, expected, actual);
    }
  },
  ok(condition, message) {
    if (!condition) throw new CheckFailure(message);
  },
  between(actual, min, max, what) {
    if (!(actual >= min && actual <= max)) {
      throw new CheckFailure(`${what}: expected between ${min} and ${max}, got ${show(actual)}`, [min, max], actual);
    }
  },
  atMost(actual, max, what) {
    if (!(actual <= max)) throw new CheckFailure(`${what}: expected at most ${max}, got ${show(actual)}`, max, actual);
  },
  atLeast(actual, min, what) {
    if (!(actual >= min)) throw new CheckFailure(`${what}: expected at least ${min}, got ${show(actual)}`, min, actual);
  },
  async rejects(fn, what, matches) {
    let thrown: unknown;
    let threw = false;
    try {
      await fn();
    } catch (error) {
      thrown = error;
      threw = true;
    }
    if (!threw) throw new CheckFailure(`${what}: expected it to throw, but it completed`);
    if (matches && !matches(thrown)) throw new CheckFailure(`${what}: it threw the wrong error: ${show(thrown)}`, undefined, thrown);
    return thrown;
  },
  fail(message) {
    throw new CheckFailure(message);
  },
};

/**
 * A fresh context per check, so checks never share time, randomness or data.
 * `db` makes the check's database on its clock (the check runner passes the
 * engine's, in memory); without it every call of `db` rejects.
 */
export const makeCheckContext = (seed = 1, db?: (clock: VirtualClock) => LabDatabase): CheckContext => {
  const clock = new VirtualClock();
  let database: LabDatabase | undefined;
  return {
    clock,
    random: new SeededRandom(seed),
    expect: expectations,
    // Made on first use: most checks never touch a database, and opening one is not free.
    get db() {
      return (database ??= db ? db(clock) : unavailableDatabase('this check context has no database'));
    },
  };
};
