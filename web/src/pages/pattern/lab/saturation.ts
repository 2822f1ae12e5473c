/**
 * When the workbench itself cannot keep up with the load — its generator
 * sends under the target rate, or its event loop lags — the lab's numbers
 * show the workbench's limits, not the pattern's. The server says so in each
 * `load.progress` (`saturated`, with the rates and the loop lag behind the
 * verdict; see server/load/saturation.ts); this fold turns that into the
 * notice the Lab tab shows and the spans its timeline shades.
 *
 * The verdict is a state repeated every 250 ms, not a change, so a progress
 * event the live stream dropped costs a span edge at most that much. A span
 * ends with the first progress that is not saturated, with the load's final
 * progress (`done`: a finished load has nothing to fall behind on), or with
 * the run's end.
 */
import type { TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import { trimFront, type ViewReducer } from '../../../views/shared/reducer.ts';

/** The figures behind a saturated verdict, from the latest `load.progress` that carried it. */
export interface SaturationReading {
  /** Run time of that progress event, ms. */
  t: number;
  /** Open model only: the rate asked for, req/s. */
  targetRate?: number;
  sentRate?: number;
  /** Live runs only. */
  loopLagMs?: number;
}

/** A stretch of the run during which the workbench was saturated; `to` undefined: it still is. */
export interface SaturatedSpan {
  from: number;
  to: number | undefined;
}

export interface SaturationModel {
  /** Set while the workbench is saturated (at the newest event folded): what the notice says. */
  current: SaturationReading | undefined;
  /** Oldest first, at most MAX_SPANS. */
  spans: SaturatedSpan[];
}

export const MAX_SPANS = 100;

interface SaturationAcc {
  current: SaturationReading | undefined;
  spans: SaturatedSpan[];
}

const readingOf = (event: TelemetryOf<'load.progress'>): SaturationReading => ({
  t: event.t,
  ...(event.targetRate !== undefined && { targetRate: event.targetRate }),
  ...(event.sentRate !== undefined && { sentRate: event.sentRate }),
  ...(event.loopLagMs !== undefined && { loopLagMs: event.loopLagMs }),
});

/** Ends the open span (if any) at `t`. */
const settle = (acc: SaturationAcc, t: number): void => {
  acc.current = undefined;
  const open = acc.spans.at(-1);
  if (open && open.to === undefined) open.to = t;
};

export const saturationReducer: ViewReducer<SaturationAcc, SaturationModel> = {
  init: () => ({ current: undefined, spans: [] }),
  step(acc, event: TelemetryEvent) {
    switch (event.type) {
      case 'load.progress':
        if (event.saturated === true && !event.done) {
          if (!acc.current) {
            acc.spans.push({ from: event.t, to: undefined });
            trimFront(acc.spans, MAX_SPANS);
          }
          acc.current = readingOf(event);
        } else {
          settle(acc, event.t);
        }
        return;
      case 'run.stopped':
        // A run that ends while saturated sends no further progress (a fatal error ends with this too;
        // a `run.error` alone, such as an undeclared event type, leaves the load running).
        settle(acc, event.t);
        return;
      default:
        return;
    }
  },
  view: (acc, nowT) => ({
    current: acc.current && acc.current.t <= nowT ? { ...acc.current } : undefined,
    // As at `nowT`: spans that began later are not there yet, and one that ended later still runs.
    spans: acc.spans
      .filter((s) => s.from <= nowT)
      .map((s) => ({ from: s.from, to: s.to !== undefined && s.to <= nowT ? s.to : undefined }))
      .slice(-MAX_SPANS),
  }),
};

const rate = (perSecond: number): string => Math.round(perSecond).toLocaleString('en-US');

/**
 * The notice's first sentence in two parts, so the page can keep the changing figures out of
 * what a screen reader announces: `lead` "The workbench is saturated", `figures` ": 380 of 500
 * req/s sent (event loop lag 140 ms)". The closed model has no target rate ("380 req/s sent");
 * a run on virtual time, or the first second of a live one, has no lag reading. `past`: the
 * page looks back at a moment of the run rather than at its present.
 */
export const saturationParts = (reading: SaturationReading, past = false): { lead: string; figures: string } => {
  const lag = reading.loopLagMs !== undefined ? `event loop lag ${Math.round(reading.loopLagMs)} ms` : undefined;
  // Behind its rate: the sent figure is the news. Catching up after a stall it can exceed the
  // target ("4,864 of 3,001 sent" reads as nonsense): then the lag is the news.
  const behind = reading.sentRate !== undefined && reading.targetRate !== undefined && reading.sentRate < reading.targetRate;
  const sent =
    reading.sentRate === undefined
      ? undefined
      : reading.targetRate === undefined
        ? `${rate(reading.sentRate)} req/s sent`
        : behind
          ? `${rate(reading.sentRate)} of ${rate(reading.targetRate)} req/s sent`
          : `${rate(reading.sentRate)} req/s sent to catch up with ${rate(reading.targetRate)}`;
  const detail =
    sent === undefined ? lag : behind || !lag || reading.targetRate === undefined ? `${sent}${lag ? ` (${lag})` : ''}` : `${lag} (${sent})`;
  return { lead: `The workbench ${past ? 'was' : 'is'} saturated`, figures: detail ? `: ${detail}` : '' };
};

/** "The workbench is saturated: 380 of 500 req/s sent (event loop lag 140 ms)." */
export const saturationHeadline = (reading: SaturationReading, past = false): string => {
  const { lead, figures } = saturationParts(reading, past);
  return `${lead}${figures}.`;
};

/** The notice's second sentence: what the learner should make of the numbers meanwhile. */
export const SATURATION_ADVICE = "The numbers below show the workbench's limits, not the pattern's.";

/** Whether run time `t` falls in one of `spans` (an open span runs on to the present). */
export const saturatedAt = (spans: readonly SaturatedSpan[], t: number): boolean => spans.some((s) => s.from <= t && (s.to === undefined || t <= s.to));
