/**
 * Checks a LoadProfile before it drives traffic. Profiles arrive from the
 * browser (validated by the route's schema too), but the generator is also
 * used directly by labs, checks and benchmarks, so it refuses bad numbers
 * itself with a RangeError that names the bad value.
 */
import type { LoadProfile } from '../../patterns/kit/load.ts';

const nonNegative = (name: string, value: number | undefined): void => {
  if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
};

const positiveInteger = (name: string, value: number | undefined): void => {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
};

/** Throws a RangeError when `profile` has a value no load could run with. */
export const validateProfile = (profile: LoadProfile): void => {
  if (profile.model === 'none') return;
  nonNegative('durationMs', profile.durationMs);
  if (profile.amount !== undefined && !(Number.isInteger(profile.amount) && profile.amount >= 0)) {
    throw new RangeError(`amount must be an integer >= 0, got ${profile.amount}`);
  }
  positiveInteger('clients', profile.clients);
  if (profile.model === 'open') {
    nonNegative('rate', profile.rate);
    profile.stages?.forEach((stage, i) => {
      nonNegative(`stages[${i}].durationMs`, stage.durationMs);
      nonNegative(`stages[${i}].target`, stage.target);
    });
  } else if (profile.model === 'closed') {
    positiveInteger('concurrency', profile.concurrency);
    nonNegative('thinkTimeMs', profile.thinkTimeMs);
  } else {
    throw new RangeError(`unknown load model ${JSON.stringify((profile as { model: unknown }).model)}`);
  }
};
