/**
 * One event in an opened row's timeline, in words. The kit's core event types
 * (calls, faults, logs, SQL) read as sentences; a pattern's own types (a
 * retry wait, a give-up) show their type and fields, durations in ms.
 */
import type { FieldFormat, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { fmtMs } from '../shared/format.ts';
import { typeOf } from '../shared/reducer.ts';

/** Fields every event has, or that only say which row it names: not worth a line. */
const PLUMBING = new Set(['type', 't', 'runId', 'seq', 'requestId', 'parentId']);

export const EventLine = ({ event }: { event: TelemetryEvent }) => {
  switch (event.type) {
    case 'request':
      // The row's own request ends its timeline: what it answered.
      if (event.direction === 'inbound') {
        return (
          <span>
            answered <b>{event.status ?? event.outcome}</b>
          </span>
        );
      }
      return (
        <span>
          <span className="tag">call</span> attempt {event.attempt ?? 1} → <b>{event.target}</b>{' '}
          <span className={`outcome-pill ${event.outcome}`}>{event.outcome}</span> {event.status ?? ''} in {fmtMs(event.durationMs)}
          {event.error && <span className="muted"> — {event.error}</span>}
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
      const { requestId: _named, ...fields } = event.fields;
      void _named;
      const extra = formatValue(fields, 'json');
      return (
        <span>
          <span className={`tag level-${event.level}`}>{event.level}</span> {event.msg} {extra && <code className="muted">{extra}</code>}
        </span>
      );
    }
    case 'sql':
      return (
        <span>
          <span className={`tag ${event.error ? 'bad' : ''}`}>sql</span> <code>{event.statement}</code> · {event.rows} row{event.rows === 1 ? '' : 's'} in{' '}
          {fmtMs(event.durationMs)}
          {event.error && <span className="bad-text"> — {event.error}</span>}
        </span>
      );
    default:
      return <OtherEvent event={event} />;
  }
};

/** A type the web does not know (a pattern's own): its type and fields, marked when it carries an error. */
const OtherEvent = ({ event }: { event: TelemetryEvent }) => {
  const fields = Object.entries(event).filter(([key]) => !PLUMBING.has(key));
  return (
    <span>
      <span className={`tag ${'error' in event ? 'warn' : ''}`}>{typeOf(event)}</span>{' '}
      {fields.map(([key, value]) => (
        <span key={key} className="tv-field">
          {key} <b>{formatValue(value, formatOf(key, value))}</b>
        </span>
      ))}
    </span>
  );
};

/** Objects as JSON, and durations by the kit's naming (`delayMs`, `latencyMs`) in ms. */
const formatOf = (key: string, value: unknown): FieldFormat =>
  typeof value === 'object' ? 'json' : typeof value === 'number' && key.endsWith('Ms') ? 'ms' : 'text';
