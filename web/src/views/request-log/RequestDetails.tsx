/** One request opened: its outbound attempts, retry waits, injected faults and logs, in time order. */
import { useMemo } from 'react';
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fmtMs, fmtRunTime } from '../shared/format.ts';
import { requestDetails, startOf, type DetailEvent } from './details.ts';

export const RequestDetailsPanel = ({ events, id, onClose }: { events: readonly TelemetryEvent[]; id: string; onClose: () => void }) => {
  const details = useMemo(() => requestDetails(events, id), [events, id]);
  const { request } = details;
  return (
    <section className="request-details" aria-label={`Request ${id}`}>
      <header>
        <strong className="mono">{id}</strong>
        {request && (
          <span>
            {request.target} · <span className={`outcome-pill ${request.outcome}`}>{request.outcome}</span> {request.status ?? ''} ·{' '}
            {fmtMs(request.durationMs)} · {request.clientKey ?? 'no client key'}
          </span>
        )}
        <span className="muted small grow">
          {details.attempts} outbound call{details.attempts === 1 ? '' : 's'}, {details.faults} injected fault{details.faults === 1 ? '' : 's'}
        </span>
        <button type="button" className="small-button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      {request?.error && <p className="bad-text small">{request.error}</p>}
      {details.partial && <p className="muted small">Older events have left the page: this may be incomplete.</p>}
      {details.timeline.length === 0 ? (
        <p className="muted small">Nothing else was recorded for this request (no outbound calls, faults or logs).</p>
      ) : (
        <ol className="detail-list">
          {details.timeline.map((event, i) => (
            <li key={i}>
              <span className="mono t">{fmtRunTime(startOf(event))}</span>
              <DetailLine event={event} />
            </li>
          ))}
          {request && (
            <li>
              <span className="mono t">{fmtRunTime(request.t)}</span>
              <span>
                answered <b>{request.status ?? request.outcome}</b>
              </span>
            </li>
          )}
        </ol>
      )}
    </section>
  );
};

const DetailLine = ({ event }: { event: DetailEvent }) => {
  switch (event.type) {
    case 'request':
      return (
        <span>
          <span className="tag">call</span> attempt {event.attempt ?? 1} → <b>{event.target}</b>{' '}
          <span className={`outcome-pill ${event.outcome}`}>{event.outcome}</span> {event.status ?? ''} in {fmtMs(event.durationMs)}
          {event.error && <span className="muted"> — {event.error}</span>}
        </span>
      );
    case 'retry.attempt':
      return (
        <span>
          <span className="tag warn">retry</span> attempt {event.attempt} failed ({event.error}); waiting {fmtMs(event.delayMs)}
        </span>
      );
    case 'retry.giveup':
      return (
        <span>
          <span className="tag bad">give up</span> after {event.attempts} attempts: {event.error}
        </span>
      );
    case 'fault.injected':
      return (
        <span>
          <span className="tag bad">fault</span> {event.point}: {event.kind}
          {event.status !== undefined && ` ${event.status}`}
          {event.latencyMs !== undefined && ` +${fmtMs(event.latencyMs)}`}
        </span>
      );
    case 'log': {
      const { requestId: _omit, ...fields } = event.fields;
      void _omit;
      const extra = Object.keys(fields).length ? JSON.stringify(fields) : '';
      return (
        <span>
          <span className={`tag level-${event.level}`}>{event.level}</span> {event.msg} {extra && <code className="muted">{extra}</code>}
        </span>
      );
    }
  }
};
