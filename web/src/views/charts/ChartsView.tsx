/**
 * Charts over the run's time, as the lab's spec lists them: throughput,
 * error rate and latency percentiles from the once-a-second `metrics`
 * summaries (cheap at any request rate), and how many of an event happened
 * each second. The charts redraw at most once a second and share a cursor.
 */
import './charts.css';
import { Fragment, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { ChartsViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtLevel, fmtMs } from '../shared/format.ts';
import { useThemeColors } from '../shared/theme.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { makeChartsReducer, type ChartsModel } from './reducer.ts';
import { TimeCharts } from './TimeCharts.tsx';

const SPANS = [
  { ms: 60_000, label: '1 min' },
  { ms: 120_000, label: '2 min' },
  { ms: 600_000, label: '10 min' },
];

export const ChartsView = ({ spec, events, revision, nowT }: ViewProps<ChartsViewSpec>) => {
  const reducer = useMemo(() => makeChartsReducer(spec), [spec]);
  const model = useThrottled(useViewModel(reducer, events, revision, nowT), 1000);
  const colors = useThemeColors();
  const [span, setSpan] = useState(120_000);
  const shown = useMemo(() => lastSpan(model, span), [model, span]);
  const [grid, chartWidth] = useChartWidth(!!shown);

  if (!shown) {
    const what = spec.metrics.length ? 'No metrics yet: they arrive' : 'Nothing counted yet: counts arrive';
    return <p className="muted empty">{what} once a second while the run goes.</p>;
  }
  return (
    <div className="charts-view">
      <div className="view-toolbar">
        <Headline spec={spec} model={model} />
        <label className="muted small">
          Show{' '}
          <select value={span} onChange={(e) => setSpan(Number(e.target.value))} aria-label="Time span">
            {SPANS.map((s) => (
              <option key={s.ms} value={s.ms}>
                last {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="charts-grid" ref={grid}>
        <TimeCharts
          metrics={spec.metrics}
          points={shown.points}
          rates={shown.rates}
          levels={shown.levels}
          markers={shown.markers}
          domain={shown.domain}
          colors={colors}
          chartWidth={chartWidth}
        />
      </div>
    </div>
  );
};

/** A ref for the charts' grid and the width of a chart in it (the grid's columns are equal), kept up to date as it resizes. */
const useChartWidth = (shown: boolean): [RefObject<HTMLDivElement | null>, number] => {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(320);
  useEffect(() => {
    const grid = ref.current;
    if (!grid) return;
    const update = () => {
      const chart = grid.querySelector<HTMLElement>('.chart');
      if (chart && chart.clientWidth > 0) setWidth(chart.clientWidth);
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(grid);
    return () => observer.disconnect();
  }, [shown]);
  return [ref, width];
};

/** The model's last `span` ms, up to its latest point, and the time axis every chart shares; undefined before any point. */
const lastSpan = (model: ChartsModel, span: number) => {
  const series = [...model.rates, ...model.levels];
  const ends = [model.latest?.t, ...series.map((r) => r.points[r.points.length - 1]?.t)].filter((t) => t !== undefined);
  if (ends.length === 0) return undefined;
  const end = Math.max(...ends);
  const inSpan = (p: { t: number }) => p.t > end - span;
  const points = model.points.filter(inSpan);
  const rates = model.rates.map((r) => ({ ...r, points: r.points.filter(inSpan) }));
  const levels = model.levels.map((l) => ({ ...l, points: l.points.filter(inSpan) }));
  const start = Math.min(end, ...[points[0], ...rates.map((r) => r.points[0]), ...levels.map((l) => l.points[0])].map((p) => p?.t ?? end));
  return { points, rates, levels, markers: model.markers.filter(inSpan), domain: [start, end] as [number, number] };
};

/** `20 req/s · 0.0% errors · p99 12 ms · 3 retries/s`: the latest figures of what is charted. */
const Headline = ({ spec, model }: { spec: ChartsViewSpec; model: ChartsModel }) => {
  const { latest } = model;
  const parts = spec.metrics.map((metric) => {
    if (!latest) return undefined;
    if (metric === 'throughput')
      return (
        <>
          <b>{latest.rate.toFixed(0)}</b> req/s
        </>
      );
    if (metric === 'errors')
      return (
        <>
          <b className={latest.errorPct > 0 ? 'bad-text' : ''}>{latest.errorPct.toFixed(1)}%</b> errors
        </>
      );
    return (
      <>
        p99 <b>{fmtMs(latest.p99)}</b>
      </>
    );
  });
  for (const rate of model.rates) {
    const last = rate.points[rate.points.length - 1];
    if (last)
      parts.push(
        <>
          <b>{last.perSecond}</b> {rate.label}/s
        </>,
      );
  }
  for (const level of model.levels) {
    if (level.latest !== undefined)
      parts.push(
        <>
          <b>{fmtLevel(level.latest, level.level.unit)}</b> {level.level.label}
        </>,
      );
  }
  return (
    <span className="headline">
      {parts
        .filter((part) => part !== undefined)
        .map((part, i) => (
          <Fragment key={i}>
            {i > 0 && ' · '}
            {part}
          </Fragment>
        ))}
    </span>
  );
};
