/**
 * Throughput, error rate and latency percentiles over time, from the
 * once-a-second `metrics` summaries: cheap at any request rate. The charts
 * redraw at most once a second and share a cursor (recharts' syncId).
 */
import { memo, useMemo, useState } from 'react';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { fmtMs, fmtTick, niceTicks } from '../shared/format.ts';
import type { Marker } from '../shared/markers.ts';
import { useThemeColors, type ThemeColors } from '../shared/theme.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ChartsViewSpec } from '../../../../patterns/kit/index.ts';
import type { ViewProps } from '../types.ts';
import { chartsReducer, type MetricsPoint } from './reducer.ts';

const SPANS = [
  { ms: 60_000, label: '1 min' },
  { ms: 120_000, label: '2 min' },
  { ms: 600_000, label: '10 min' },
];

export const ChartsView = ({ events, revision, nowT }: ViewProps<ChartsViewSpec>) => {
  const model = useThrottled(useViewModel(chartsReducer, events, revision, nowT), 1000);
  const colors = useThemeColors();
  const [span, setSpan] = useState(120_000);
  const end = model.latest?.t ?? 0;
  const points = useMemo(() => model.points.filter((p) => p.t > end - span), [model.points, end, span]);
  const markers = useMemo(() => model.markers.filter((m) => m.t > end - span), [model.markers, end, span]);
  const latest = model.latest;

  if (!latest) return <p className="muted empty">No metrics yet: they arrive once a second while the run goes.</p>;
  return (
    <div className="charts-view">
      <div className="view-toolbar">
        <span className="headline">
          <b>{latest.rate.toFixed(0)}</b> req/s · <b className={latest.errorPct > 0 ? 'bad-text' : ''}>{latest.errorPct.toFixed(1)}%</b> errors · p99{' '}
          <b>{fmtMs(latest.p99)}</b>
        </span>
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
      <div className="charts-grid">
        <Charts points={points} markers={markers} colors={colors} />
      </div>
    </div>
  );
};

interface ChartsProps {
  points: MetricsPoint[];
  markers: Marker[];
  colors: ThemeColors;
}

const HEIGHT = 170;
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };

const Charts = memo(function Charts({ points, markers, colors }: ChartsProps) {
  const axis = { fill: colors.muted, fontSize: 11 };
  const first = points[0]?.t ?? 0;
  const last = points[points.length - 1]?.t ?? 1;
  const ticks = niceTicks(first, last, 6);
  // Round latency ticks: 0 to a nice ceiling over the highest p99 shown.
  const maxLatency = Math.max(1, ...points.map((p) => (Number.isNaN(p.p99) ? 0 : p.p99)));
  const latencyTicks = niceTicks(0, maxLatency, 4);
  if (latencyTicks[latencyTicks.length - 1]! < maxLatency) latencyTicks.push(latencyTicks[latencyTicks.length - 1]! + (latencyTicks[1] ?? maxLatency));
  const tooltip = {
    contentStyle: { background: colors.panel, border: `1px solid ${colors.border}`, borderRadius: 6, fontSize: 12 },
    labelFormatter: (t: unknown) => `t = ${fmtTick(Number(t))}`,
  };
  const x = (
    <XAxis dataKey="t" type="number" domain={[first, last]} ticks={ticks} tickFormatter={fmtTick} tick={axis} stroke={colors.border} minTickGap={16} />
  );
  const grid = <CartesianGrid stroke={colors.border} strokeDasharray="3 3" vertical={false} />;
  const refs = markers.map((m, i) => (
    <ReferenceLine key={`${m.t}-${i}`} x={m.t} stroke={m.kind === 'error' ? colors.bad : m.kind === 'deploy' ? colors.accent : colors.muted} strokeDasharray="4 3" ifOverflow="hidden" />
  ));
  return (
    <>
      <figure className="chart">
        <figcaption>
          Throughput, req/s: <Key color={colors.ok}>ok</Key> <Key color={colors.bad}>errors</Key> <Key color={colors.reject}>rejected</Key>
        </figcaption>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <AreaChart data={points} margin={MARGIN} syncId="metrics">
            {grid}
            {x}
            <YAxis tick={axis} stroke={colors.border} width={44} allowDecimals={false} />
            <Tooltip {...tooltip} formatter={(v) => Number(v).toFixed(1)} />
            <Area type="monotone" dataKey="ok" name="ok" stackId="1" stroke={colors.ok} fill={colors.ok} fillOpacity={0.35} isAnimationActive={false} />
            <Area type="monotone" dataKey="errors" name="errors" stackId="1" stroke={colors.bad} fill={colors.bad} fillOpacity={0.45} isAnimationActive={false} />
            <Area type="monotone" dataKey="rejected" name="rejected" stackId="1" stroke={colors.reject} fill={colors.reject} fillOpacity={0.45} isAnimationActive={false} />
            {refs}
          </AreaChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart">
        <figcaption>Error rate, % of requests not ok</figcaption>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <AreaChart data={points} margin={MARGIN} syncId="metrics">
            {grid}
            {x}
            <YAxis tick={axis} stroke={colors.border} width={44} domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} />
            <Tooltip {...tooltip} formatter={(v) => `${Number(v).toFixed(1)}%`} />
            <Area type="stepAfter" dataKey="errorPct" name="errors" stroke={colors.bad} fill={colors.bad} fillOpacity={0.25} isAnimationActive={false} />
            {refs}
          </AreaChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart">
        <figcaption>
          Latency, ms: <Key color={colors.ok}>p50</Key> <Key color={colors.warn}>p90</Key> <Key color={colors.bad}>p99</Key>
        </figcaption>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={points} margin={MARGIN} syncId="metrics">
            {grid}
            {x}
            <YAxis tick={axis} stroke={colors.border} width={44} domain={[0, latencyTicks[latencyTicks.length - 1]!]} ticks={latencyTicks} />
            <Tooltip {...tooltip} formatter={(v) => fmtMs(Number(v))} />
            <Line type="monotone" dataKey="p50" name="p50" stroke={colors.ok} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Line type="monotone" dataKey="p90" name="p90" stroke={colors.warn} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Line type="monotone" dataKey="p99" name="p99" stroke={colors.bad} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            {refs}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </>
  );
});

/** A colour swatch and its series name, for captions. */
const Key = ({ color, children }: { color: string; children: string }) => (
  <span className="key">
    <span className="swatch" style={{ background: color }} />
    {children}
  </span>
);
