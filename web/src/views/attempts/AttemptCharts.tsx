/** The downstream's load over time, and how many attempts requests needed. */
import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { MiniBars } from '../shared/MiniBars.tsx';
import type { ThemeColors } from '../shared/theme.ts';
import type { LoadBucket } from './load.ts';
import type { HistogramBin } from './reducer.ts';

const LOAD_COLORS = ['var(--ok)', 'var(--bad)'];
const LOAD_SERIES = ['ok', 'failed'];

/** Calls started per bucket, split by how they went: waves of synchronised retries stand out. */
export const LoadChart = memo(function LoadChart({ load }: { load: readonly LoadBucket[] }) {
  const data = useMemo(() => load.map((b) => ({ t: b.t, values: [b.calls - b.failed, b.failed] })), [load]);
  return <MiniBars data={data} colors={LOAD_COLORS} names={LOAD_SERIES} height={170} label="Downstream calls started per bucket" />;
});

const axisProps = (colors: ThemeColors) => ({ tick: { fill: colors.muted, fontSize: 11 }, stroke: colors.border });
const tooltipStyle = (colors: ThemeColors) => ({ background: colors.panel, border: `1px solid ${colors.border}`, borderRadius: 6, fontSize: 12 });

/** Finished requests by the number of attempts they made, succeeded and failed stacked. */
export const AttemptsHistogram = memo(function AttemptsHistogram({ bins, colors }: { bins: readonly HistogramBin[]; colors: ThemeColors }) {
  if (bins.length === 0) return <p className="muted empty">No finished request yet.</p>;
  return (
    <ResponsiveContainer width="100%" height={170}>
      <BarChart data={bins as HistogramBin[]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={colors.border} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="attempts" {...axisProps(colors)} />
        <YAxis {...axisProps(colors)} width={40} allowDecimals={false} />
        <Tooltip contentStyle={tooltipStyle(colors)} labelFormatter={(a) => `${a} attempt(s)`} />
        <Bar dataKey="ok" name="succeeded" stackId="1" fill={colors.ok} isAnimationActive={false} />
        <Bar dataKey="failed" name="failed" stackId="1" fill={colors.bad} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
});
