/** The event bus live: publisher → bus → handlers with their outcomes and latency, and the dead letters. */
import { fmtCount, fmtRunTime } from '../shared/format.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { FlowDiagram } from './FlowDiagram.tsx';
import { eventsReducer } from './reducer.ts';

const SHOWN_DEAD_LETTERS = 50;

export const EventsView = ({ events, revision, nowT }: ViewProps) => {
  const model = useThrottled(useViewModel(eventsReducer, events, revision, nowT), 250);
  return (
    <div className="events-view">
      <div className="view-toolbar">
        <span className="headline">
          <b>{fmtCount(model.published)}</b> published · <b>{fmtCount(model.handlers.reduce((n, h) => n + h.ok, 0))}</b> handled ·{' '}
          <b className={model.deadLettered ? 'bad-text' : ''}>{fmtCount(model.deadLettered)}</b> dead-lettered
        </span>
        <span className="muted small">
          <span className="legend ok">last attempt ok</span> <span className="legend bad">last attempt failed</span> ✓ ok ✗ failed ↻ retries ☠ dead letters
        </span>
      </div>
      <FlowDiagram model={model} nowT={nowT} />
      <h4 className="sub-title">
        Dead letters {model.deadLettered > 0 && <span className="badge">{fmtCount(model.deadLettered)}</span>}
      </h4>
      {model.deadLetters.length === 0 ? (
        <p className="muted small">None: every handler finished within its attempts.</p>
      ) : (
        <div className="table-scroll">
          <table className="dead-letters">
            <thead>
              <tr>
                <th>time</th>
                <th>event</th>
                <th>id</th>
                <th>handler</th>
                <th>attempts</th>
                <th>last error</th>
              </tr>
            </thead>
            <tbody>
              {model.deadLetters.slice(0, SHOWN_DEAD_LETTERS).map((d, i) => (
                <tr key={`${d.eventId}-${d.handler}-${i}`}>
                  <td className="mono">{fmtRunTime(d.t)}</td>
                  <td>{d.name ?? '?'}</td>
                  <td className="mono">{d.eventId}</td>
                  <td>{d.handler}</td>
                  <td>{d.attempts}</td>
                  <td className="bad-text ellipsis" title={d.error}>
                    {d.error}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
};
