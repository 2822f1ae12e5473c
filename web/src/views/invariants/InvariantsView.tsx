/**
 * "Did anything go wrong?": every invariant the lab declares, with its
 * sentence and its count of breaks — green 0, red N with the latest break's
 * detail and run time.
 */
import './invariants.css';
import { useMemo } from 'react';
import { fmtCount, fmtRunTime } from '../shared/format.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { StreamProps } from '../types.ts';
import { invariantRows, invariantsReducer } from './reducer.ts';

export const InvariantsView = ({ events, revision, lab, nowT }: StreamProps) => {
  const counts = useViewModel(invariantsReducer, events, revision, nowT);
  const rows = useMemo(() => invariantRows(lab.invariants ?? [], counts), [lab.invariants, counts]);
  if (rows.length === 0) return <p className="muted">This lab declares no invariants.</p>;
  return (
    <ul className="invariants" aria-label="Invariants">
      {rows.map((row) => (
        <li key={row.id} className={`invariant ${row.count > 0 ? 'broken' : 'holds'}`} data-invariant={row.id}>
          <span className="invariant-count" title={row.count > 0 ? `broken ${row.count} time(s)` : 'never broken'} aria-label={`${row.count} breaks`}>
            {fmtCount(row.count)}
          </span>
          <div className="invariant-body">
            <div className="invariant-sentence">{row.description}</div>
            {row.latest ? (
              <div className="invariant-latest">
                <span className="invariant-time">latest at {fmtRunTime(row.latest.t)}</span> {row.latest.detail}
              </div>
            ) : (
              <div className="invariant-latest muted">Holds so far.</div>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
};
