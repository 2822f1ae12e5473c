/**
 * Attempts laid bare: each recent request's attempts and waits on a Gantt,
 * how many attempts requests needed, the downstream's load over time (where
 * synchronised retries show as waves), and strategies compared. Which events
 * are waits, give-ups and summaries comes from the spec (reducer.ts).
 */
import './attempts.css';
import { useMemo, useState } from 'react';
import type { AttemptsViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtMs } from '../shared/format.ts';
import { useThemeColors } from '../shared/theme.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { AttemptsHistogram, LoadChart } from './AttemptCharts.tsx';
import { Comparison } from './Comparison.tsx';
import { Gantt, spreadOut } from './Gantt.tsx';
import { rebin } from './load.ts';
import { makeAttemptsReducer, pickRows, type AttemptsModel } from './reducer.ts';

type Axis = 'auto' | 'shared' | 'aligned';

export const AttemptsView = ({ spec, events, revision, nowT }: ViewProps<AttemptsViewSpec>) => {
  const reducer = useMemo(() => makeAttemptsReducer(spec), [spec]);
  const model = useThrottled(useViewModel(reducer, events, revision, nowT), 400);
  const colors = useThemeColors();
  const [onlyRetried, setOnlyRetried] = useState(false);
  const [bucketMs, setBucketMs] = useState(250);
  const [axis, setAxis] = useState<Axis>('auto');
  const rows = useMemo(() => pickRows(model.rows, onlyRetried), [model.rows, onlyRetried]);
  const aligned = axis === 'aligned' || (axis === 'auto' && spreadOut(rows));
  // The charts redraw once a second; the Gantt keeps up.
  const charts = useThrottled(model, 1000);
  const load = useMemo(() => rebin(charts.load, bucketMs), [charts.load, bucketMs]);
  return (
    <div className="attempts-view">
      <div className="view-toolbar">
        <Headline spec={spec} totals={model.totals} />
        <label className="small">
          <input type="checkbox" checked={onlyRetried} onChange={(e) => setOnlyRetried(e.target.checked)} /> only requests that retried
        </label>
      </div>
      <div className="attempts-grid">
        <figure className="chart wide">
          <figcaption>
            Last {rows.length} request{rows.length === 1 ? '' : 's'}: <span className="legend ok">attempt ok</span> <span className="legend bad">attempt failed</span>{' '}
            {spec.wait && <span className="legend wait">waiting to retry</span>}
            <select className="gantt-axis-choice" value={axis} onChange={(e) => setAxis(e.target.value as Axis)} aria-label="Gantt time axis">
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
          <AttemptsHistogram bins={charts.histogram} colors={colors} />
        </figure>
      </div>
      <Comparison spec={spec} summaries={model.summaries} segments={model.segments} />
    </div>
  );
};

/** The run in one line; give-ups and the average wait only when the lab reports them. */
const Headline = ({ spec, totals }: { spec: AttemptsViewSpec; totals: AttemptsModel['totals'] }) => (
  <span className="headline">
    <b>{fmtCount(totals.calls)}</b> downstream calls · <b>{fmtCount(totals.retries)}</b> retries
    {spec.giveUp && (
      <>
        {' '}
        · <b className={totals.giveups ? 'bad-text' : ''}>{fmtCount(totals.giveups)}</b> gave up
      </>
    )}
    {spec.wait && (
      <>
        {' '}
        · avg wait <b>{fmtMs(totals.waits ? totals.waitedMs / totals.waits : undefined)}</b>
      </>
    )}
  </span>
);
