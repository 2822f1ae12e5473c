/**
 * The inbound requests beside the machines, as the Hystrix dashboard shows
 * them: the error percentage of the last 10 s, large; requests per second
 * over the last minute; success, failure, rejected and timeout, rolling and
 * over the run.
 */
import { fmtPct, fmtRunTime } from '../shared/format.ts';
import type { CounterSummary, RequestCountersModel, VolumeBucket } from './counters.ts';

const ROWS: Array<{ key: keyof CounterSummary; label: string; cls: string; title?: string }> = [
  { key: 'success', label: 'Success', cls: 'ok-text' },
  { key: 'failure', label: 'Failure', cls: 'bad-text' },
  { key: 'rejected', label: 'Rejected', cls: 'reject-text', title: 'Failed fast, without calling the downstream' },
  { key: 'timeout', label: 'Timeout', cls: 'warn-text' },
];

export const RequestCounters = ({ model }: { model: RequestCountersModel }) => {
  const { window, total } = model;
  const seconds = model.windowMs / 1000;
  const errorClass = window.total === 0 ? '' : window.errorShare >= 0.5 ? 'bad-text' : window.errorShare > 0 ? 'warn-text' : 'ok-text';
  return (
    <section className="sm-counters" aria-label="Inbound requests">
      <div className="sm-error-pct">
        <span className={`big ${errorClass}`}>{fmtPct(window.errorShare)}</span>
        <span className="muted small">
          errors, last {seconds} s ({window.total} requests)
        </span>
      </div>
      <Sparkline volume={model.volume} />
      <table className="sm-counter-table">
        <thead>
          <tr>
            <th />
            <th title={`The last ${seconds} seconds`}>{seconds}&nbsp;s</th>
            <th title="The whole run">run</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.key}>
              <th className={row.cls} title={row.title}>
                {row.label}
              </th>
              <td>{window[row.key]}</td>
              <td>{total[row.key]}</td>
            </tr>
          ))}
          <tr className="total-row">
            <th title="Failures, rejections and timeouts, of all requests">Error %</th>
            <td>{fmtPct(window.errorShare)}</td>
            <td>{fmtPct(total.errorShare)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
};

/** Requests per second, stacked by outcome, over the last minute. */
const Sparkline = ({ volume }: { volume: readonly VolumeBucket[] }) => {
  const max = Math.max(1, ...volume.map((b) => b.success + b.failed + b.rejected));
  const h = (n: number) => `${(n / max) * 100}%`;
  return (
    <div className="sm-sparkline" role="img" aria-label="Requests per second by outcome, last minute">
      {volume.map((b) => (
        <div key={b.t} className="bar" title={`${fmtRunTime(b.t)}: ${b.success} ok, ${b.failed} failed, ${b.rejected} rejected`}>
          <div className="rejected" style={{ height: h(b.rejected) }} />
          <div className="failed" style={{ height: h(b.failed) }} />
          <div className="success" style={{ height: h(b.success) }} />
        </div>
      ))}
    </div>
  );
};
