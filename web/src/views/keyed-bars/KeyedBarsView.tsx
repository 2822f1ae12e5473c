/**
 * Per-key bars (a rate limiter's clients): for each key, its events split in
 * two (allowed / limited) over the last minute, one small chart per key,
 * with the totals, the mode in use (the algorithm) and when it changed.
 * Everything is read by the names in the lab's spec.
 */
import './keyed-bars.css';
import { Fragment, memo, useMemo, useState } from 'react';
import type { KeyedBarsViewSpec } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { fmtCount, fmtPct, fmtRunTime } from '../shared/format.ts';
import { MiniBars } from '../shared/MiniBars.tsx';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { DEFAULT_BUCKET_MS, keyBars, makeKeyedBarsReducer, type KeyedBarsModel, type KeyedBucket } from './reducer.ts';

/** Charts drawn; the other keys are counted in the totals and named below the grid. */
const SHOWN_KEYS = 8;
const SPANS = [
  { ms: 10_000, label: '10 s' },
  { ms: 30_000, label: '30 s' },
  { ms: 60_000, label: '1 min' },
];
/** Allowed in green, limited in the rejection colour, as in the request log. */
const COLORS = ['var(--ok)', 'var(--reject)'];

export const KeyedBarsView = ({ spec, events, revision, nowT, lab }: ViewProps<KeyedBarsViewSpec>) => {
  const reducer = useMemo(() => makeKeyedBarsReducer(spec), [spec]);
  // A chart per key: they redraw once a second.
  const model = useThrottled(useViewModel(reducer, events, revision, nowT), 1000);
  // The spec's fine buckets, or whole seconds to see the trend.
  const bucketMs = spec.bucketMs ?? DEFAULT_BUCKET_MS;
  const sizes = bucketMs < 1000 ? [bucketMs, 1000] : [bucketMs];
  const [size, setSize] = useState(sizes[0]!);
  const [span, setSpan] = useState(30_000);
  // Keyed on the (throttled) model, not on nowT, so the charts' data changes only when the model does.
  const endT = model.buckets[model.buckets.length - 1]?.t ?? 0;
  const buckets = useMemo(() => model.buckets.filter((b) => b.t > endT - span), [model.buckets, endT, span]);
  // Before the first event, the mode is the parameter's: its default, until a change says otherwise.
  const param = spec.mode?.param;
  const fallback = param === undefined ? undefined : lab.params.find((p) => p.id === param)?.default;
  const mode = model.mode ?? (fallback === undefined ? undefined : String(fallback));
  const keys = model.keys.slice(0, SHOWN_KEYS);

  return (
    <div className="keyed-bars-view">
      <div className="view-toolbar">
        <Headline spec={spec} model={model} mode={mode} />
        <label className="small muted">
          per{' '}
          <select value={size} onChange={(e) => setSize(Number(e.target.value))} aria-label="Bucket size">
            {sizes.map((ms) => (
              <option key={ms} value={ms}>
                {ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}
              </option>
            ))}
          </select>{' '}
          over{' '}
          <select value={span} onChange={(e) => setSpan(Number(e.target.value))} aria-label="Time span">
            {SPANS.map((s) => (
              <option key={s.ms} value={s.ms}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {keys.length === 0 ? (
        <p className="muted empty">
          No <code>{spec.event}</code> events yet.
        </p>
      ) : (
        <div className="keyed-bars-grid">
          {keys.map((k) => (
            <figure key={k.key} className="chart">
              <figcaption>
                <b>{k.key}</b> <span className="ok-text">{fmtCount(k.yes)} {spec.split.yes}</span> ·{' '}
                <span className="reject-text">
                  {fmtCount(k.no)} {spec.split.no}
                </span>
                <span className="muted">
                  {spec.latest?.map((f, i) => (
                    <Fragment key={f.field}>
                      {' '}
                      · {f.label} {formatValue(k.latest[i], f.format)}
                    </Fragment>
                  ))}
                </span>
              </figcaption>
              <KeyChart buckets={buckets} keyName={k.key} size={size} split={spec.split} />
            </figure>
          ))}
        </div>
      )}
      {model.keys.length > SHOWN_KEYS && <p className="muted small">{model.keys.length - SHOWN_KEYS} more keys not drawn.</p>}
    </div>
  );
};

/** `Algorithm fixed-window · limit per window 10 · 950 allowed · 50 limited (5%) · switched at 12.3 s`. */
const Headline = ({ spec, model, mode }: { spec: KeyedBarsViewSpec; model: KeyedBarsModel; mode: string | undefined }) => {
  const total = model.yes + model.no;
  return (
    <span className="headline">
      {spec.mode && (
        <>
          {capitalised(spec.mode.label)} <b className="keyed-bars-mode">{mode ?? 'unknown'}</b> ·{' '}
        </>
      )}
      {/* None before the first event: there is no limit to show yet. */}
      {spec.heading?.map(
        (f, i) =>
          model.heading[i] !== undefined && (
            <Fragment key={f.field}>
              {f.label} <b>{formatValue(model.heading[i], f.format)}</b> ·{' '}
            </Fragment>
          ),
      )}
      <b className="ok-text">{fmtCount(model.yes)}</b> {spec.split.yes} · <b className="reject-text">{fmtCount(model.no)}</b> {spec.split.no} (
      {fmtPct(total ? model.no / total : 0)})
      {model.modeChangedAt !== undefined && <span className="muted small"> · switched at {fmtRunTime(model.modeChangedAt)}</span>}
    </span>
  );
};

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

interface KeyChartProps {
  buckets: readonly KeyedBucket[];
  keyName: string;
  size: number;
  split: KeyedBarsViewSpec['split'];
}

const KeyChart = memo(function KeyChart({ buckets, keyName, size, split }: KeyChartProps) {
  const data = useMemo(() => keyBars(buckets, keyName, size), [buckets, keyName, size]);
  const names = useMemo(() => [split.yes, split.no], [split]);
  return <MiniBars data={data} colors={COLORS} names={names} height={120} label={`${keyName}: ${names.join(' and ')} per bucket`} />;
});
