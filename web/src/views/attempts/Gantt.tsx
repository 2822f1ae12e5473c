/** Recent requests as Gantt rows: attempts as bars coloured by outcome, waits before a retry as hatched gaps. */
import { memo } from 'react';
import { fmtMs, fmtRunTime, fmtTick } from '../shared/format.ts';
import { timeTicks } from '../shared/ticks.ts';
import { useWidth } from '../shared/useWidth.ts';
import type { GanttRow } from './reducer.ts';

export interface GanttProps {
  rows: readonly GanttRow[];
  /** Each row from its own start (durations compare), or all on the run's time (synchronised waves line up). */
  aligned: boolean;
}

/** True when requests lie so far apart that a shared axis would shrink each to a sliver. */
export const spreadOut = (rows: readonly GanttRow[]): boolean => {
  if (rows.length < 2) return false;
  const span = Math.max(...rows.map((r) => r.end)) - Math.min(...rows.map((r) => r.start));
  const longest = Math.max(...rows.map((r) => r.end - r.start));
  return span > 4 * longest;
};

export const Gantt = memo(function Gantt({ rows, aligned }: GanttProps) {
  // As many ticks as the axis's width takes without their labels running together.
  const [axis, axisWidth] = useWidth<HTMLDivElement>(400);
  if (rows.length === 0) return <p className="muted empty">No outbound calls yet.</p>;
  const from = aligned ? 0 : Math.min(...rows.map((r) => r.start));
  const to = aligned ? Math.max(1, ...rows.map((r) => r.end - r.start)) : Math.max(...rows.map((r) => r.end), from + 1);
  const span = to - from;
  const pct = (t: number) => `${((t - from) / span) * 100}%`;
  const width = (a: number, b: number) => `max(2px, ${((b - a) / span) * 100}%)`;
  return (
    <div className="gantt" role="table" aria-label="Attempts and waits per request">
      {rows.map((row) => {
        // On an aligned axis each row's times count from its own start.
        const base = aligned ? row.start : 0;
        return (
          <div key={row.id} className="gantt-row" role="row">
            <span className="gantt-label mono" title={row.clientKey}>
              {row.id}
            </span>
            <div className="gantt-track">
              {row.waits.map((w, i) => (
                <div
                  key={`w${i}`}
                  className="gantt-wait"
                  style={{ left: pct(w.start - base), width: width(w.start, Math.min(w.end, base + to)) }}
                  title={`wait ${fmtMs(w.end - w.start)}${w.attempt ? ` after attempt ${w.attempt}` : ''}${w.error ? `: ${w.error}` : ''}`}
                />
              ))}
              {row.attempts.map((a, i) => (
                <div
                  key={`a${i}`}
                  className={`gantt-attempt ${a.outcome ?? ''}`}
                  style={{ left: pct(a.start - base), width: width(a.start, a.end) }}
                  title={`attempt ${a.attempt}: ${a.outcome}${a.status ? ` ${a.status}` : ''} in ${fmtMs(a.end - a.start)} (at ${fmtRunTime(a.start)})${a.error ? ` — ${a.error}` : ''}`}
                />
              ))}
              {row.result && <span className={`gantt-result ${row.result}`} style={{ left: pct(row.end - base) }} title={row.result} />}
            </div>
            <span className={`gantt-outcome small ${row.result === 'ok' ? 'ok-text' : row.result ? 'bad-text' : 'muted'}`}>
              {row.result ?? '…'} {row.attempts.length > 1 ? `×${row.attempts.length}` : ''}
            </span>
          </div>
        );
      })}
      <div className="gantt-row gantt-axis" aria-hidden>
        <span />
        <div className="gantt-track axis" ref={axis}>
          {timeTicks(from, to, axisWidth, aligned ? 64 : 48).map((t) => (
            <span key={t} style={{ left: pct(t) }}>
              {aligned ? `+${fmtMs(t)}` : fmtTick(t)}
            </span>
          ))}
        </div>
        <span />
      </div>
    </div>
  );
});
