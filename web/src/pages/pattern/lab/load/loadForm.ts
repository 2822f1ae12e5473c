/**
 * The load panel's form and its translation to and from a `LoadProfile`,
 * with the server's bounds; and the progress bar's figures. Pure.
 */
import type { LoadProfile, TelemetryOf } from '../../../../../../patterns/kit/index.ts';
import { numberProblem, type FieldWords, type FormErrors } from '../faults/faultForm.ts';

export interface StageForm {
  durationS: string;
  target: string;
}

export interface LoadForm {
  model: LoadProfile['model'];
  rate: string;
  stages: StageForm[];
  concurrency: string;
  thinkTimeMs: string;
  /** Empty: unbounded. */
  durationS: string;
  amount: string;
  clients: string;
}

const s = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 1000));
const str = (n: number | undefined) => (n === undefined ? '' : String(n));

export const formFromProfile = (profile: LoadProfile | undefined): LoadForm => {
  const form: LoadForm = { model: 'open', rate: '20', stages: [], concurrency: '10', thinkTimeMs: '', durationS: '', amount: '', clients: '' };
  if (!profile) return form;
  if (profile.model === 'none') return { ...form, model: 'none' };
  const bounds = { durationS: s(profile.durationMs), amount: str(profile.amount), clients: str(profile.clients) };
  if (profile.model === 'open') {
    return {
      ...form,
      ...bounds,
      model: 'open',
      rate: String(profile.rate),
      stages: (profile.stages ?? []).map((st) => ({ durationS: s(st.durationMs), target: String(st.target) })),
    };
  }
  return { ...form, ...bounds, model: 'closed', concurrency: String(profile.concurrency), thinkTimeMs: str(profile.thinkTimeMs) };
};

const DAY_S = 24 * 3600;

/** The load form's words for each field: errors say "Rate must be at least 0 req/s", not `rate`. */
export const LOAD_FIELD_WORDS = {
  rate: { label: 'Rate', unit: 'req/s' },
  concurrency: { label: 'Concurrency' },
  thinkTimeMs: { label: 'Think time', unit: 'ms' },
  durationS: { label: 'Duration', unit: 's' },
  amount: { label: 'Amount', unit: 'requests' },
  clients: { label: 'Client keys' },
} satisfies Record<string, FieldWords>;

/** Reads a field: undefined when empty and optional, else checked against [min, max]. */
const read = (
  errors: FormErrors,
  field: string,
  words: FieldWords,
  text: string,
  min: number,
  max: number,
  options: { integer?: boolean; optional?: boolean; above?: boolean } = {},
) => {
  const trimmed = text.trim();
  if (trimmed === '') {
    if (!options.optional) errors[field] = `${words.label} is needed`;
    return undefined;
  }
  const value = Number(trimmed);
  const problem = numberProblem(words, value, min, max, options);
  if (problem) errors[field] = problem;
  return value;
};

export type ProfileResult = { ok: true; profile: LoadProfile } | { ok: false; errors: FormErrors };

export const profileFromForm = (form: LoadForm): ProfileResult => {
  if (form.model === 'none') return { ok: true, profile: { model: 'none' } };
  const errors: FormErrors = {};
  const durationS = read(errors, 'durationS', LOAD_FIELD_WORDS.durationS, form.durationS, 0, DAY_S, { optional: true, above: true });
  const amount = read(errors, 'amount', LOAD_FIELD_WORDS.amount, form.amount, 0, 100_000_000, { optional: true, integer: true, above: true });
  const clients = read(errors, 'clients', LOAD_FIELD_WORDS.clients, form.clients, 1, 10_000, { optional: true, integer: true });
  const bounds = {
    ...(durationS !== undefined && { durationMs: durationS * 1000 }),
    ...(amount !== undefined && { amount }),
    ...(clients !== undefined && { clients }),
  };
  let profile: LoadProfile;
  if (form.model === 'open') {
    const rate = read(errors, 'rate', LOAD_FIELD_WORDS.rate, form.rate, 0, 20_000) ?? 0;
    if (form.stages.length > 50) errors.stages = 'At most 50 stages';
    const stages = form.stages.map((st, i) => ({
      durationMs: (read(errors, `stages.${i}.durationS`, { label: `Stage ${i + 1} duration`, unit: 's' }, st.durationS, 0, DAY_S, { above: true }) ?? 0) * 1000,
      target: read(errors, `stages.${i}.target`, { label: `Stage ${i + 1} target rate`, unit: 'req/s' }, st.target, 0, 20_000) ?? 0,
    }));
    profile = { model: 'open', rate, ...(stages.length > 0 && { stages }), ...bounds };
  } else {
    const concurrency = read(errors, 'concurrency', LOAD_FIELD_WORDS.concurrency, form.concurrency, 1, 2000, { integer: true }) ?? 1;
    const thinkTimeMs = read(errors, 'thinkTimeMs', LOAD_FIELD_WORDS.thinkTimeMs, form.thinkTimeMs, 0, 3_600_000, { optional: true });
    profile = { model: 'closed', concurrency, ...(thinkTimeMs !== undefined && { thinkTimeMs }), ...bounds };
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, profile };
};

export interface ProgressFigures {
  /** 0–1 when the load is bounded, else undefined. */
  fraction: number | undefined;
  /** What bounds it: `12.0 / 30 s`, `420 / 1000 requests`. */
  bound: string;
  done: boolean;
}

export const progressFigures = (p: TelemetryOf<'load.progress'>): ProgressFigures => {
  const byTime = p.durationMs ? Math.min(1, p.elapsedMs / p.durationMs) : undefined;
  const byAmount = p.amount ? Math.min(1, p.sent / p.amount) : undefined;
  const fraction = p.done ? 1 : byTime === undefined ? byAmount : byAmount === undefined ? byTime : Math.max(byTime, byAmount);
  const elapsed = (p.elapsedMs / 1000).toFixed(1);
  const parts = [
    p.durationMs ? `${elapsed} / ${p.durationMs / 1000} s` : `${elapsed} s`,
    ...(p.amount ? [`${p.sent} / ${p.amount} sent`] : []),
  ];
  return { fraction, bound: parts.join(' · '), done: p.done };
};
