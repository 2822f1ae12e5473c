/**
 * The fault panel's form and its translation to and from a `FaultSpec`,
 * with the same bounds the server validates; the presets; and whether a
 * scheduled window is active at a run time. Pure: tested without a DOM.
 */
import type { FaultError, FaultPointInfo, FaultPreset, FaultSpec, FaultWindow } from '../../../../../../patterns/kit/index.ts';

export type ErrorKind = FaultError['kind'];

export interface WindowForm {
  startS: string;
  durationS: string;
  /** Empty: once. */
  repeatS: string;
  kind: ErrorKind;
  status: number;
  ratePct: number;
}

export interface FaultForm {
  enabled: boolean;
  errorRatePct: number;
  kind: ErrorKind;
  status: number;
  /** Empty: no Retry-After header. */
  retryAfterS: string;
  message: string;
  latencyBaseMs: string;
  latencyJitterMs: string;
  latencyRatePct: number;
  failFirst: string;
  schedule: WindowForm[];
  seed: number;
}

export const STATUSES: Array<{ status: number; label: string }> = [
  { status: 500, label: '500 Internal Server Error' },
  { status: 502, label: '502 Bad Gateway' },
  { status: 503, label: '503 Service Unavailable' },
  { status: 504, label: '504 Gateway Timeout' },
  { status: 429, label: '429 Too Many Requests' },
  { status: 408, label: '408 Request Timeout' },
  { status: 400, label: '400 Bad Request' },
  { status: 404, label: '404 Not Found' },
  { status: 409, label: '409 Conflict' },
];

export const KIND_LABELS: Record<ErrorKind, string> = {
  status: 'HTTP status',
  reset: 'connection reset',
  hang: 'hang (caller times out)',
  down: 'down (refused)',
  exception: 'exception',
  busy: 'busy (SQLITE_BUSY)',
  locked: 'locked (SQLITE_LOCKED)',
};

/** The errors that make sense at a point: HTTP failures downstream, a throw in-process, busy or locked at the database. */
export const kindsFor = (point: Pick<FaultPointInfo, 'kind'>): ErrorKind[] =>
  point.kind === 'http' ? ['status', 'reset', 'hang', 'down'] : point.kind === 'database' ? ['busy', 'locked'] : ['exception'];

/** No fault at all (the kit's healthySpec, restated: the web app imports only types from the kit). */
export const healthy = (): FaultSpec => ({
  enabled: false,
  errorRate: 0,
  error: { kind: 'status', status: 503 },
  latency: { baseMs: 0, jitterMs: 0, rate: 1 },
  failFirst: 0,
  schedule: [],
  seed: 1,
});

const defaultKind = (point: Pick<FaultPointInfo, 'kind'>, kind: ErrorKind): ErrorKind => (kindsFor(point).includes(kind) ? kind : kindsFor(point)[0]!);

const secs = (ms: number) => String(Math.round(ms) / 1000);

const windowToForm = (w: FaultWindow, spec: FaultSpec, point: Pick<FaultPointInfo, 'kind'>): WindowForm => {
  const error = w.error ?? spec.error;
  return {
    startS: secs(w.startMs),
    durationS: secs(w.durationMs),
    repeatS: w.repeatEveryMs === undefined ? '' : secs(w.repeatEveryMs),
    kind: defaultKind(point, error.kind),
    status: error.kind === 'status' ? error.status : 503,
    ratePct: Math.round((w.errorRate ?? 1) * 100),
  };
};

export const formFromSpec = (spec: FaultSpec, point: Pick<FaultPointInfo, 'kind'>): FaultForm => ({
  enabled: spec.enabled,
  errorRatePct: Math.round(spec.errorRate * 1000) / 10,
  kind: defaultKind(point, spec.error.kind),
  status: spec.error.kind === 'status' ? spec.error.status : 503,
  retryAfterS: spec.error.kind === 'status' && spec.error.retryAfterSeconds !== undefined ? String(spec.error.retryAfterSeconds) : '',
  message: spec.error.kind === 'exception' ? (spec.error.message ?? '') : '',
  latencyBaseMs: String(spec.latency.baseMs),
  latencyJitterMs: String(spec.latency.jitterMs),
  latencyRatePct: Math.round(spec.latency.rate * 100),
  failFirst: String(spec.failFirst),
  schedule: spec.schedule.map((w) => windowToForm(w, spec, point)),
  seed: spec.seed,
});

export type FormErrors = Record<string, string>;

/** How a field is named in the form and the unit it is typed in: errors speak the form's words ("Latency must be at least 0 ms"). */
export interface FieldWords {
  label: string;
  /** Shown after a bound: `ms`, `s`, `%`. */
  unit?: string;
}

const withUnit = (value: number, unit: string | undefined) => (unit ? `${value} ${unit}` : String(value));

/**
 * What is wrong with a number typed in a field, in the form's words, or
 * undefined when it is fine; `above`: strictly more than `min`.
 */
export const numberProblem = (words: FieldWords, value: number, min: number, max: number, options: { integer?: boolean; above?: boolean } = {}): string | undefined => {
  const { label, unit } = words;
  if (!Number.isFinite(value)) return `${label} must be a number`;
  if (options.integer && !Number.isInteger(value)) return `${label} must be a whole number`;
  if (options.above ? value <= min : value < min) return `${label} must be ${options.above ? 'more than' : 'at least'} ${withUnit(min, unit)}`;
  if (value > max) return `${label} must be at most ${withUnit(max, unit)}`;
  return undefined;
};

/** A number typed in a field, checked against [min, max]; '' means `empty`. */
const number = (
  errors: FormErrors,
  field: string,
  words: FieldWords,
  text: string,
  min: number,
  max: number,
  options: { integer?: boolean; empty?: number; above?: boolean } = {},
) => {
  const trimmed = text.trim();
  if (trimmed === '' && options.empty !== undefined) return options.empty;
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  const problem = numberProblem(words, value, min, max, options);
  if (problem) errors[field] = problem;
  return value;
};

/** The form's words for each field (the keys of `FormErrors`; a schedule window's fields are `schedule.<i>.<field>`). */
export const FIELD_WORDS = {
  status: { label: 'Status' },
  retryAfterS: { label: 'Retry-After', unit: 's' },
  latencyBaseMs: { label: 'Latency', unit: 'ms' },
  latencyJitterMs: { label: 'Latency jitter', unit: 'ms' },
  failFirst: { label: 'Fail first', unit: 'calls' },
} satisfies Record<string, FieldWords>;

const windowWords = (i: number, what: string, unit?: string): FieldWords => ({ label: `Window ${i + 1} ${what}`, ...(unit && { unit }) });

const STATUS_PROBLEM = (label: string) => `${label} must be from 400 to 599`;

const errorOf = (kind: ErrorKind, status: number, retryAfter: number | undefined, message: string): FaultError => {
  switch (kind) {
    case 'status':
      return { kind, status, ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }) };
    case 'exception':
      return message.trim() ? { kind, message: message.trim() } : { kind };
    default:
      return { kind };
  }
};

const HOUR_S = 3600;

export type SpecResult = { ok: true; spec: FaultSpec } | { ok: false; errors: FormErrors };

export const specFromForm = (form: FaultForm): SpecResult => {
  const errors: FormErrors = {};
  if (form.status < 400 || form.status > 599 || !Number.isInteger(form.status)) errors.status = STATUS_PROBLEM(FIELD_WORDS.status.label);
  const retryAfter = number(errors, 'retryAfterS', FIELD_WORDS.retryAfterS, form.retryAfterS, 0, HOUR_S, { empty: Number.NaN });
  const baseMs = number(errors, 'latencyBaseMs', FIELD_WORDS.latencyBaseMs, form.latencyBaseMs, 0, HOUR_S * 1000, { empty: 0 });
  const jitterMs = number(errors, 'latencyJitterMs', FIELD_WORDS.latencyJitterMs, form.latencyJitterMs, 0, HOUR_S * 1000, { empty: 0 });
  const failFirst = number(errors, 'failFirst', FIELD_WORDS.failFirst, form.failFirst, 0, 1_000_000, { integer: true, empty: 0 });
  if (form.schedule.length > 50) errors.schedule = 'The schedule may hold at most 50 windows';
  const schedule = form.schedule.map((w, i): FaultWindow => {
    const startMs = number(errors, `schedule.${i}.startS`, windowWords(i, 'start (from)', 's'), w.startS, 0, HOUR_S) * 1000;
    const durationMs = number(errors, `schedule.${i}.durationS`, windowWords(i, 'duration (for)', 's'), w.durationS, 0, HOUR_S, { above: true }) * 1000;
    const repeat = number(errors, `schedule.${i}.repeatS`, windowWords(i, 'repeat (every)', 's'), w.repeatS, 0, HOUR_S, { above: true, empty: Number.NaN });
    if (!Number.isNaN(repeat) && !(repeat * 1000 > durationMs) && !errors[`schedule.${i}.repeatS`]) {
      errors[`schedule.${i}.repeatS`] = `Window ${i + 1} repeat (every) must be longer than its duration (for)`;
    }
    if (w.kind === 'status' && (w.status < 400 || w.status > 599)) errors[`schedule.${i}.status`] = STATUS_PROBLEM(`Window ${i + 1} status`);
    return {
      startMs,
      durationMs,
      ...(w.ratePct < 100 && { errorRate: w.ratePct / 100 }),
      error: errorOf(w.kind, w.status, undefined, form.message),
      ...(!Number.isNaN(repeat) && { repeatEveryMs: repeat * 1000 }),
    };
  });
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    spec: {
      enabled: form.enabled,
      errorRate: Math.min(1, Math.max(0, form.errorRatePct / 100)),
      error: errorOf(form.kind, form.status, Number.isNaN(retryAfter) ? undefined : retryAfter, form.message),
      latency: { baseMs, jitterMs, rate: Math.min(1, Math.max(0, form.latencyRatePct / 100)) },
      failFirst,
      schedule,
      seed: form.seed,
    },
  };
};

export type PresetId = FaultPreset | 'clear';

export const PRESETS: Array<{ id: PresetId; label: string; title: string }> = [
  { id: 'outage', label: 'Outage 15 s', title: 'From now, every call fails for 15 s (down; an exception in-process)' },
  { id: 'flapping', label: 'Flapping', title: 'From now, down for 3 s every 8 s' },
  { id: 'slow', label: 'Slow', title: '800 ms ± 200 ms added to every call' },
  { id: 'fail', label: 'Fail 100%', title: 'Every call fails with the chosen error' },
  { id: 'clear', label: 'Clear', title: 'Back to healthy' },
];

/** Windows that can never be active again after `nowT`. */
const isOver = (w: WindowForm, nowT: number) => w.repeatS.trim() === '' && (Number(w.startS) + Number(w.durationS)) * 1000 <= nowT;

/**
 * A preset applied to the form. Presets add to what is set (an outage on a
 * slow service stays slow), except `clear`. Windows start at `nowT`: schedules
 * are in run time.
 */
export const applyPreset = (form: FaultForm, preset: PresetId, nowT: number, point: Pick<FaultPointInfo, 'kind'>): FaultForm => {
  const outageKind: ErrorKind = point.kind === 'http' ? 'down' : point.kind === 'database' ? 'busy' : 'exception';
  const window = (durationS: number, repeatS?: number): WindowForm => ({
    // From now, to the tenth of a second: short enough to read in the form.
    startS: secs(Math.max(0, Math.round(nowT / 100) * 100)),
    durationS: String(durationS),
    repeatS: repeatS === undefined ? '' : String(repeatS),
    kind: outageKind,
    status: 503,
    ratePct: 100,
  });
  const live = form.schedule.filter((w) => !isOver(w, nowT));
  switch (preset) {
    case 'outage':
      return { ...form, enabled: true, schedule: [...live, window(15)] };
    case 'flapping':
      return { ...form, enabled: true, schedule: [...live, window(3, 8)] };
    case 'slow':
      return { ...form, enabled: true, latencyBaseMs: '800', latencyJitterMs: '200', latencyRatePct: 100 };
    case 'fail':
      return { ...form, enabled: true, errorRatePct: 100 };
    case 'clear':
      return formFromSpec(healthy(), point);
  }
};

/** The spec a preset makes of `spec` at run time `nowT`: what pressing its button applies (a lab guide's first action, too). */
export const presetSpec = (spec: FaultSpec, preset: PresetId, nowT: number, point: Pick<FaultPointInfo, 'kind'>): FaultSpec => {
  const result = specFromForm(applyPreset(formFromSpec(spec, point), preset, nowT, point));
  // A preset only sets values the form accepts; a spec the run holds reads back into a valid form.
  if (!result.ok) throw new Error(`the ${preset} preset made an invalid fault: ${Object.values(result.errors).join('; ')}`);
  return result.spec;
};

/** The window failing calls at `t`, and when it ends, if any. */
export const activeWindow = (spec: FaultSpec, t: number): { window: FaultWindow; endsAt: number } | undefined => {
  if (!spec.enabled) return undefined;
  for (const window of spec.schedule) {
    const into = t - window.startMs;
    if (into < 0) continue;
    const phase = window.repeatEveryMs ? into % window.repeatEveryMs : into;
    if (phase < window.durationMs) return { window, endsAt: t - phase + window.durationMs };
  }
  return undefined;
};

/** True when a spec injects nothing even though it is enabled. */
export const isHealthy = (spec: FaultSpec): boolean =>
  !spec.enabled || (spec.errorRate === 0 && spec.failFirst === 0 && spec.schedule.length === 0 && (spec.latency.rate === 0 || (spec.latency.baseMs === 0 && spec.latency.jitterMs === 0)));
