/**
 * An opened row. With `spec.details`, every event naming it in time order
 * (a request's outbound calls, retry waits, injected faults and logs);
 * without, the row's own event, field by field.
 */
import { useMemo, type ReactNode } from 'react';
import type { TableViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf } from '../shared/fields.ts';
import { fmtRunTime } from '../shared/format.ts';
import { CellValue } from './Cell.tsx';
import { describeCounts } from './describe.ts';
import { relatedEvents, rowFields, startOf } from './details.ts';
import { EventLine } from './EventLine.tsx';
import type { TableLayout, TableRow } from './reducer.ts';

interface RowDetailsProps {
  spec: TableViewSpec;
  layout: TableLayout;
  events: readonly TelemetryEvent[];
  row: TableRow;
  onClose: () => void;
}

export const RowDetails = (props: RowDetailsProps) =>
  props.layout.key === undefined ? <OwnFields {...props} /> : <Related {...props} keyIndex={props.layout.key} />;

const Panel = ({ label, heading, note, onClose, children }: { label: string; heading: ReactNode; note?: string; onClose: () => void; children: ReactNode }) => (
  <section className="tv-details" aria-label={label}>
    <header>
      {heading}
      <span className="muted small grow">{note}</span>
      <button type="button" className="small-button" onClick={onClose} aria-label="Close details">
        ✕
      </button>
    </header>
    {children}
  </section>
);

/** The row's key, then its other columns (the time is in the timeline): `req-7 POST /checkout · error 502 · 12 ms`. */
const Summary = ({ layout, row, keyIndex }: { layout: TableLayout; row: TableRow; keyIndex: number }) => (
  <>
    <strong className="mono">{String(row.values[keyIndex])}</strong>
    <span className="tv-summary">
      {layout.columns
        .filter((c) => c.index !== keyIndex && c.format !== 'time' && row.values[c.index] !== undefined)
        .map((c) => (
          <span key={c.field} title={c.label}>
            <CellValue field={c.field} value={row.values[c.index]} format={c.format} />
          </span>
        ))}
    </span>
  </>
);

const Related = ({ layout, events, row, onClose, keyIndex }: RowDetailsProps & { keyIndex: number }) => {
  const key = row.values[keyIndex];
  // Recomputed as events arrive while the row is open: a request's late logs show up.
  const details = useMemo(() => relatedEvents(events, row, key), [events, row, key]);
  const error = details.event ? fieldOf(details.event, 'error') : row.values[layout.fields.indexOf('error')];
  return (
    <Panel label={`Details of ${String(key)}`} heading={<Summary layout={layout} row={row} keyIndex={keyIndex} />} note={describeCounts(details.counts)} onClose={onClose}>
      {typeof error === 'string' && error && <p className="bad-text small">{error}</p>}
      {details.partial && <p className="muted small">Older events have left the page: this may be incomplete.</p>}
      {details.timeline.length === 0 ? (
        <p className="muted small">Nothing else was recorded for {String(key)}: no outbound call, retry, fault or log names it.</p>
      ) : (
        <ol className="tv-timeline">
          {details.timeline.map((event) => (
            <TimelineItem key={event.seq} t={startOf(event)} event={event} />
          ))}
          {details.event && <TimelineItem t={details.event.t} event={details.event} />}
        </ol>
      )}
    </Panel>
  );
};

const TimelineItem = ({ t, event }: { t: number; event: TelemetryEvent }) => (
  <li>
    <span className="mono t">{fmtRunTime(t)}</span>
    <EventLine event={event} />
  </li>
);

const OwnFields = ({ spec, layout, events, row, onClose }: RowDetailsProps) => {
  const { fields, whole } = useMemo(() => rowFields(events, row, layout), [events, row, layout]);
  const type = fields.find((f) => f.field === 'type')?.value;
  const what = String(type ?? spec.title);
  const heading = (
    <strong>
      {what} <span className="mono muted">{fmtRunTime(row.t)}</span>
    </strong>
  );
  return (
    <Panel label={`Details of ${what} at ${fmtRunTime(row.t)}`} heading={heading} onClose={onClose}>
      {!whole && <p className="muted small">This event has left the page: these are the fields the table keeps.</p>}
      <dl className="tv-fields">
        {fields
          .filter((f) => f.field !== 'type' && f.field !== 't')
          .map((f) => (
            <div key={f.field}>
              <dt>{f.label}</dt>
              <dd>
                <CellValue field={f.field} value={f.value} format={f.format ?? (typeof f.value === 'object' ? 'json' : 'text')} />
              </dd>
            </div>
          ))}
      </dl>
    </Panel>
  );
};
