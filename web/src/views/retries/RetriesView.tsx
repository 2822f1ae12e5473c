/**
 * Retries laid bare: each recent request's attempts and waits on a Gantt,
 * how many attempts requests needed, the downstream's load over time (where
 * synchronised retries show as waves), and strategies compared.
 */
import { memo, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtCount, fmtMs, fmtRunTime } from '../shared/format.ts';
import { MiniBars } from '../shared/MiniBars.tsx';
import { useThemeColors, type ThemeColors } from '../shared/theme.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { Gantt, spreadOut } from './Gantt.tsx';
import { pickRows, rebin, retriesReducer, type HistogramBin, type LoadBucket, type RetriesModel } from './reducer.ts';

export const RetriesView = ({ events, revision, nowT }: ViewProps) => {
  const model = useThrottled(useViewModel(retriesReducer, events, revision, nowT), 400);
  const colors = useThemeColors();
  const [onlyRetried, setOnlyRetried] = useState(false);
  const [bucketMs, setBucketMs] = useState(250);
  const [axis, setAxis] = useState<'auto' | 'shared' | 'aligned'>('auto');
  const rows = useMemo(() => pickRows(model.rows, onlyRetried), [model.rows, onlyRetried]);
  const aligned = axis === 'aligned' || (axis === 'auto' && spreadOut(rows));
  // The charts redraw once a second; the Gantt keeps up.
  const charts = useThrottled(model, 1000);
  const load = useMemo(() => rebin(charts.load, bucketMs), [charts.load, bucketMs]);
  const { totals } = model;
  return (
    <div className="retries-view">
      <div className="view-toolbar">
        <span className="headline">
          <b>{fmtCount(totals.calls)}</b> downstream calls · <b>{fmtCount(totals.retries)}</b> retries ·{' '}
          <b className={totals.giveups ? 'bad-text' : ''}>{fmtCount(totals.giveups)}</b> gave up · avg wait{' '}
          <b>{fmtMs(totals.retries ? totals.waitedMs / totals.retries : undefined)}</b>
        </span>
        <label className="small">
          <input type="checkbox" checked={onlyRetried} onChange={(e) => setOnlyRetried(e.target.checked)} /> only requests that retried
        </label>
      </div>
      <div className="retries-grid">
        <figure className="chart wide">
          <figcaption>
            Last {rows.length} request{rows.length === 1 ? '' : 's'}: <span className="legend ok">attempt ok</span> <span className="legend bad">attempt failed</span>{' '}
            <span className="legend wait">waiting to retry</span>
            <select className="gantt-axis-choice" value={axis} onChange={(e) => setAxis(e.target.value as typeof axis)} aria-label="Gantt time axis">
              <option value="auto">axis: {aligned ? 'from each start' : 'run time'} (auto)</option>
              <option value="shared">axis: run time (waves line up)</option>
              <option value="aligned">axis: from each request’s start</option>
            </select>
          </figcaption>
          <Gantt rows={rows} aligned={aligned} />
        </figure>
        <figure className="chart">
          <figcaption>
            Downstream load: calls started per{' '}
            <select value={bucketMs} onChange={(e) => setBucketMs(Number(e.target.value))} aria-label="Bucket size">
              <option value={100}>100 ms</option>
              <option value={250}>250 ms</option>
              <option value={1000}>1 s</option>
            </select>
          </figcaption>
          <LoadChart load={load} />
        </figure>
        <figure className="chart">
          <figcaption>Attempts per request</figcaption>
          <Histogram bins={charts.histogram} colors={colors} />
        </figure>
      </div>
      <Comparison model={model} />
    </div>
  );
};

const axisProps = (colors: ThemeColors) => ({ tick: { fill: colors.muted, fontSize: 11 }, stroke: colors.border });
const tooltipStyle = (colors: ThemeColors) => ({ background: colors.panel, border: `1px solid ${colors.border}`, borderRadius: 6, fontSize: 12 });

const LOAD_COLORS = ['var(--ok)', 'var(--bad)'];
const LOAD_SERIES = ['ok', 'failed'];

const LoadChart = memo(function LoadChart({ load }: { load: LoadBucket[] }) {
  const data = useMemo(() => load.map((b) => ({ t: b.t, values: [b.calls - b.failed, b.failed] })), [load]);
  return <MiniBars data={data} colors={LOAD_COLORS} names={LOAD_SERIES} height={170} label="Downstream calls started per bucket" />;
});

const Histogram = memo(function Histogram({ bins, colors }: { bins: HistogramBin[]; colors: ThemeColors }) {
  if (bins.length === 0) return <p className="muted empty">No finished request yet.</p>;
  return (
    <ResponsiveContainer width="100%" height={170}>
      <BarChart data={bins} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
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

/** Strategies side by side: the lab's own summaries when it sends them, else the run's segments. */
const Comparison = ({ model }: { model: RetriesModel }) => {
  if (model.summaries.length > 0) {
    return (
      <table className="compare-table">
        <caption>Strategies compared (the lab’s summaries)</caption>
        <thead>
          <tr>
            <th>strategy</th>
            <th>clients</th>
            <th>total calls</th>
            <th>calls / client</th>
            <th>done after</th>
            <th>succeeded</th>
            <th>failed</th>
          </tr>
        </thead>
        <tbody>
          {model.summaries.map((s, i) => (
            <tr key={i}>
              <td>{s.strategy}</td>
              <td>{s.clients}</td>
              <td>{fmtCount(s.totalCalls)}</td>
              <td>{s.clients ? (s.totalCalls / s.clients).toFixed(2) : '–'}</td>
              <td>{fmtMs(s.doneAtMs)}</td>
              <td className="ok-text">{s.succeeded}</td>
              <td className={s.failed ? 'bad-text' : ''}>{s.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (model.segments.length < 2) {
    return <p className="muted small">Change a parameter (the strategy, say) and each setting gets a row here to compare calls and time to finish.</p>;
  }
  return (
    <table className="compare-table">
      <caption>Run segments, split at each parameter change</caption>
      <thead>
        <tr>
          <th>from</th>
          <th>change</th>
          <th>requests</th>
          <th>downstream calls</th>
          <th>calls / request</th>
          <th>retries</th>
          <th>gave up</th>
          <th>last answer after</th>
        </tr>
      </thead>
      <tbody>
        {model.segments.map((s) => (
          <tr key={s.index}>
            <td>{fmtRunTime(s.start)}</td>
            <td className="ellipsis">{s.index === 0 ? 'initial parameters' : s.label}</td>
            <td>{fmtCount(s.requests)}</td>
            <td>{fmtCount(s.calls)}</td>
            <td>{s.requests ? (s.calls / s.requests).toFixed(2) : '–'}</td>
            <td>{fmtCount(s.retries)}</td>
            <td className={s.giveups ? 'bad-text' : ''}>{fmtCount(s.giveups)}</td>
            <td>{s.lastDone === undefined ? '–' : fmtMs(s.lastDone - s.start)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
