/**
 * The charts themselves, on one time axis with one cursor and the run's
 * markers: the `metrics` charts the spec asks for, in its order, then a
 * chart per rate.
 */
import { memo, type ReactNode } from 'react';
import { Area, AreaChart, CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartsViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtLevel, fmtMs, fmtTick, niceTicks } from '../shared/format.ts';
import { timeTicks } from '../shared/ticks.ts';
import type { Marker } from '../shared/markers.ts';
import type { ThemeColors } from '../shared/theme.ts';
import type { MetricsPoint } from './reducer.ts';
import type { LevelSeries } from './levels.ts';
import type { RateSeries } from './rates.ts';
import { nearestTick } from './sync.ts';

interface TimeChartsProps {
  metrics: ChartsViewSpec['metrics'];
  points: MetricsPoint[];
  rates: RateSeries[];
  levels: LevelSeries[];
  markers: Marker[];
  /** The time axis, shared by every chart. */
  domain: [number, number];
  colors: ThemeColors;
  /** A chart's width, px, as drawn: the time axis has as many ticks as fit it. */
  chartWidth: number;
}

const HEIGHT = 170;
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
/** Every chart's value axis is this wide. */
const Y_AXIS = 44;
const SYNC = { syncId: 'metrics', syncMethod: nearestTick } as const;

export const TimeCharts = memo(function TimeCharts({ metrics, points, rates, levels, markers, domain, colors, chartWidth }: TimeChartsProps) {
  const axis = { fill: colors.muted, fontSize: 11 };
  const tooltip = {
    contentStyle: { background: colors.panel, border: `1px solid ${colors.border}`, borderRadius: 6, fontSize: 12 },
    labelFormatter: (t: unknown) => `t = ${fmtTick(Number(t))}`,
  };
  const x = (
    <XAxis dataKey="t" type="number" domain={domain} ticks={timeTicks(domain[0], domain[1], chartWidth - Y_AXIS - MARGIN.right)} tickFormatter={fmtTick} tick={axis} stroke={colors.border} minTickGap={16} />
  );
  const grid = <CartesianGrid stroke={colors.border} strokeDasharray="3 3" vertical={false} />;
  const refs = markers.map((m, i) => (
    <ReferenceLine key={`${m.t}-${i}`} x={m.t} stroke={m.kind === 'error' ? colors.bad : m.kind === 'deploy' ? colors.accent : colors.muted} strokeDasharray="4 3" ifOverflow="hidden" />
  ));

  const charts: Record<ChartsViewSpec['metrics'][number], () => ReactNode> = {
    throughput: () => (
      <Figure
        key="throughput"
        caption={
          <>
            Throughput, req/s: <Key color={colors.ok}>ok</Key> <Key color={colors.bad}>errors</Key> <Key color={colors.reject}>rejected</Key>
          </>
        }
      >
        <AreaChart data={points} margin={MARGIN} {...SYNC}>
          {grid}
          {x}
          <YAxis tick={axis} stroke={colors.border} width={Y_AXIS} allowDecimals={false} />
          <Tooltip {...tooltip} formatter={(v) => Number(v).toFixed(1)} />
          <Area type="monotone" dataKey="ok" name="ok" stackId="1" stroke={colors.ok} fill={colors.ok} fillOpacity={0.35} isAnimationActive={false} />
          <Area type="monotone" dataKey="errors" name="errors" stackId="1" stroke={colors.bad} fill={colors.bad} fillOpacity={0.45} isAnimationActive={false} />
          <Area type="monotone" dataKey="rejected" name="rejected" stackId="1" stroke={colors.reject} fill={colors.reject} fillOpacity={0.45} isAnimationActive={false} />
          {refs}
        </AreaChart>
      </Figure>
    ),
    errors: () => (
      <Figure key="errors" caption="Error rate, % of requests not ok">
        <AreaChart data={points} margin={MARGIN} {...SYNC}>
          {grid}
          {x}
          <YAxis tick={axis} stroke={colors.border} width={Y_AXIS} domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} />
          <Tooltip {...tooltip} formatter={(v) => `${Number(v).toFixed(1)}%`} />
          <Area type="stepAfter" dataKey="errorPct" name="errors" stroke={colors.bad} fill={colors.bad} fillOpacity={0.25} isAnimationActive={false} />
          {refs}
        </AreaChart>
      </Figure>
    ),
    latency: () => {
      const ticks = latencyTicks(points);
      return (
        <Figure
          key="latency"
          caption={
            <>
              Latency, ms: <Key color={colors.ok}>p50</Key> <Key color={colors.warn}>p90</Key> <Key color={colors.bad}>p99</Key>
            </>
          }
        >
          <LineChart data={points} margin={MARGIN} {...SYNC}>
            {grid}
            {x}
            <YAxis tick={axis} stroke={colors.border} width={Y_AXIS} domain={[0, ticks[ticks.length - 1]!]} ticks={ticks} />
            <Tooltip {...tooltip} formatter={(v) => fmtMs(Number(v))} />
            <Line type="monotone" dataKey="p50" name="p50" stroke={colors.ok} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Line type="monotone" dataKey="p90" name="p90" stroke={colors.warn} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Line type="monotone" dataKey="p99" name="p99" stroke={colors.bad} dot={false} strokeWidth={1.5} isAnimationActive={false} />
            {refs}
          </LineChart>
        </Figure>
      );
    },
  };

  return (
    <>
      {metrics.map((metric) => charts[metric]())}
      {rates.map((rate, i) => (
        <Figure key={`rate-${i}`} caption={`${capitalised(rate.label)} per second`}>
          <AreaChart data={rate.points} margin={MARGIN} {...SYNC}>
            {grid}
            {x}
            <YAxis tick={axis} stroke={colors.border} width={Y_AXIS} allowDecimals={false} />
            <Tooltip {...tooltip} formatter={(v) => String(v)} />
            {/* Each count is of the second that ends at its point. */}
            <Area type="stepBefore" dataKey="perSecond" name={rate.label} stroke={colors.accent} fill={colors.accent} fillOpacity={0.3} isAnimationActive={false} />
            {refs}
          </AreaChart>
        </Figure>
      ))}
      {levelCharts(levels).map(({ title, series }) => {
        // One row per second, a column per level of the chart.
        const data = series[0]!.points.map((p, i) => ({ t: p.t, ...Object.fromEntries(series.map((s, j) => [`v${j}`, s.points[i]?.value])) }));
        const palette = [colors.accent, colors.warn, colors.bad, colors.ok];
        return (
          <Figure
            key={`level-${title}`}
            caption={
              series.length === 1 ? (
                capitalised(title)
              ) : (
                <>
                  {capitalised(title)}:{' '}
                  {series.map((s, j) => (
                    <Key key={s.level.label} color={palette[j % palette.length]!}>
                      {s.level.label}
                    </Key>
                  ))}
                </>
              )
            }
          >
            <LineChart data={data} margin={MARGIN} {...SYNC}>
              {grid}
              {x}
              <YAxis tick={axis} stroke={colors.border} width={Y_AXIS} allowDecimals={false} tickFormatter={(v) => fmtLevel(Number(v))} />
              <Tooltip {...tooltip} formatter={(v, _name, item) => fmtLevel(Number(v), series[Number(String(item.dataKey).slice(1))]?.level.unit)} />
              {/* A level holds until the next report: steps, not slopes. */}
              {series.map((s, j) => (
                <Line key={s.level.label} type="stepBefore" dataKey={`v${j}`} name={s.level.label} stroke={palette[j % palette.length]} dot={false} strokeWidth={1.5} isAnimationActive={false} />
              ))}
              {refs}
            </LineChart>
          </Figure>
        );
      })}
    </>
  );
});

/** The levels grouped into charts: those naming one `chart` share it, in the order first named; the rest have one each, titled by their label. */
const levelCharts = (levels: readonly LevelSeries[]): Array<{ title: string; series: LevelSeries[] }> => {
  const charts: Array<{ title: string; series: LevelSeries[] }> = [];
  for (const series of levels) {
    const title = series.level.chart ?? (series.level.unit && series.level.unit !== 'ms' ? `${series.level.label}, ${series.level.unit}` : series.level.unit === 'ms' ? `${series.level.label}, ms` : series.level.label);
    const shared = series.level.chart !== undefined ? charts.find((c) => c.title === title) : undefined;
    if (shared) shared.series.push(series);
    else charts.push({ title, series: [series] });
  }
  return charts.filter((c) => c.series[0]!.points.length > 0);
};

/** Round latency ticks: 0 to a nice ceiling over the highest p99 shown. */
const latencyTicks = (points: readonly MetricsPoint[]): number[] => {
  const highest = Math.max(1, ...points.map((p) => (Number.isNaN(p.p99) ? 0 : p.p99)));
  const ticks = niceTicks(0, highest, 4);
  if (ticks[ticks.length - 1]! < highest) ticks.push(ticks[ticks.length - 1]! + (ticks[1] ?? highest));
  return ticks;
};

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const Figure = ({ caption, children }: { caption: ReactNode; children: ReactNode }) => (
  <figure className="chart">
    <figcaption>{caption}</figcaption>
    <ResponsiveContainer width="100%" height={HEIGHT}>
      {children}
    </ResponsiveContainer>
  </figure>
);

/** A colour swatch and its series name, for captions. */
const Key = ({ color, children }: { color: string; children: string }) => (
  <span className="key">
    <span className="swatch" style={{ background: color }} />
    {children}
  </span>
);
