/**
 * Strategies side by side: the lab's own summary rows when its spec names a
 * summary event, else the run's segments, split at each parameter change.
 */
import type { AttemptsViewSpec, Tone } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtMs, fmtRunTime } from '../shared/format.ts';
import type { Segment } from './segments.ts';
import type { SummaryRow } from './summary.ts';

/** The text colour of a tone; info and neutral stay the text's own. */
const TONE_CLASS: Record<Tone, string> = { ok: 'ok-text', warn: 'warn-text', bad: 'bad-text', reject: 'reject-text', info: '', neutral: '' };

export interface ComparisonProps {
  spec: AttemptsViewSpec;
  summaries: readonly SummaryRow[];
  segments: readonly Segment[];
}

export const Comparison = ({ spec, summaries, segments }: ComparisonProps) =>
  spec.summary && summaries.length > 0 ? (
    <SummaryTable summary={spec.summary} rows={summaries} />
  ) : (
    <SegmentsTable segments={segments} giveUps={spec.giveUp !== undefined} />
  );

const SummaryTable = ({ summary, rows }: { summary: NonNullable<AttemptsViewSpec['summary']>; rows: readonly SummaryRow[] }) => (
  <table className="compare-table">
    <caption>{summary.title}</caption>
    <thead>
      <tr>
        {summary.fields.map((column, i) => (
          <th key={i}>{column.label}</th>
        ))}
      </tr>
    </thead>
    <tbody>
      {rows.map((row, i) => (
        <tr key={i}>
          {row.cells.map((cell, j) => (
            <td key={j} className={cell.tone ? TONE_CLASS[cell.tone] : undefined}>
              {cell.text}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  </table>
);

/** The run's segments; the gave-up column only when the lab reports give-ups. */
const SegmentsTable = ({ segments, giveUps }: { segments: readonly Segment[]; giveUps: boolean }) => {
  if (segments.length < 2) {
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
          {giveUps && <th>gave up</th>}
          <th>last answer after</th>
        </tr>
      </thead>
      <tbody>
        {segments.map((s) => (
          <tr key={s.index}>
            <td>{fmtRunTime(s.start)}</td>
            <td className="ellipsis" title={s.label}>
              {s.index === 0 ? 'initial parameters' : s.label}
            </td>
            <td>{fmtCount(s.requests)}</td>
            <td>{fmtCount(s.calls)}</td>
            <td>{s.requests ? (s.calls / s.requests).toFixed(2) : '–'}</td>
            <td>{fmtCount(s.retries)}</td>
            {giveUps && <td className={s.giveups ? 'bad-text' : ''}>{fmtCount(s.giveups)}</td>}
            <td>{s.lastDone === undefined ? '–' : fmtMs(s.lastDone - s.start)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
