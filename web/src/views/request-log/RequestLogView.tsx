/**
 * The request log: every inbound request (the last 5,000), newest at the
 * bottom, virtualised so thousands of rows scroll smoothly. It follows the
 * live end until the learner scrolls up, then holds still until they jump
 * back. A row opens that request's attempts, retries, faults and logs.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RequestOutcome } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtMs, fmtRunTime } from '../shared/format.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { filterRows, NO_FILTER, requestLogReducer, type RequestFilter, type RequestRow } from './reducer.ts';
import { RequestDetailsPanel } from './RequestDetails.tsx';

const ROW_HEIGHT = 26;
const OUTCOMES: Array<RequestFilter['outcome']> = ['all', 'failed', 'ok', 'error', 'rejected', 'timeout'];

export const RequestLogView = ({ events, revision, nowT }: ViewProps) => {
  const model = useViewModel(requestLogReducer, events, revision, nowT);
  const [filter, setFilter] = useState<RequestFilter>(NO_FILTER);
  const [follow, setFollow] = useState(true);
  // While the learner reads, the rows hold still (new ones would shift them away at the front).
  const [held, setHeld] = useState<{ rows: RequestRow[]; total: number } | null>(null);
  const [selected, setSelected] = useState<string>();
  const source = follow || !held ? model.rows : held.rows;
  const rows = useMemo(() => filterRows(source, filter), [source, filter]);
  const newSince = held ? model.total - held.total : 0;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Scroll-driven updates render with the next batch, not synchronously on every scroll event.
    useFlushSync: false,
  });

  // Following: stay at the bottom. Rows have a fixed height, so the end is known without measuring
  // (the browser clamps the offset); cheaper than the virtualizer's animated scroll-to-index.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = rows.length * ROW_HEIGHT;
  }, [follow, rows]);

  // Only the learner scrolling up stops following: new rows and our own scrolling only ever move down.
  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const scrolledUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 1.5;
    if (atBottom && !follow) {
      setFollow(true);
      setHeld(null);
    } else if (scrolledUp && !atBottom && follow) {
      setFollow(false);
      setHeld({ rows: model.rows, total: model.total });
    }
  };
  const jumpToLatest = () => {
    setHeld(null);
    setFollow(true);
  };
  const set = (patch: Partial<RequestFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <div className="request-log">
      <div className="view-toolbar">
        <select aria-label="Outcome" value={filter.outcome} onChange={(e) => set({ outcome: e.target.value as RequestOutcome })}>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o === 'all' ? 'all outcomes' : o === 'failed' ? 'not ok' : o}
            </option>
          ))}
        </select>
        <select aria-label="Status" value={String(filter.status)} onChange={(e) => set({ status: e.target.value === 'all' ? 'all' : Number(e.target.value) })}>
          <option value="all">any status</option>
          {model.statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {model.routes.length > 1 && (
          <select aria-label="Route" value={filter.route} onChange={(e) => set({ route: e.target.value })}>
            <option value="all">all routes</option>
            {model.routes.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
        <input type="search" placeholder="Filter: id, client, error…" aria-label="Filter requests" value={filter.text} onChange={(e) => set({ text: e.target.value })} />
        <span className="muted small grow">
          {fmtCount(rows.length)} shown
          {model.total > model.rows.length && ` · last ${fmtCount(model.rows.length)} of ${fmtCount(model.total)} kept`}
        </span>
        {follow ? (
          <span className="follow-state small">● following</span>
        ) : (
          <button type="button" className="small-button" onClick={jumpToLatest}>
            ↓ Latest{newSince > 0 ? ` (${fmtCount(newSince)} new)` : ''}
          </button>
        )}
      </div>
      <div className="request-table" role="table" aria-label="Inbound requests" aria-rowcount={rows.length}>
        <div className="rl-row rl-head" role="row">
          <span role="columnheader">time</span>
          <span role="columnheader">id</span>
          <span role="columnheader">route</span>
          <span role="columnheader">status</span>
          <span role="columnheader">outcome</span>
          <span role="columnheader" className="num">duration</span>
          <span role="columnheader">client</span>
          <span role="columnheader" className="num">calls</span>
        </div>
        <div className="rl-body" ref={scroller} onScroll={onScroll}>
          {rows.length === 0 && <p className="muted empty">{model.total === 0 ? 'No requests yet.' : 'No request matches the filter.'}</p>}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              return (
                <div
                  key={item.key}
                  role="row"
                  tabIndex={0}
                  className={`rl-row ${row.outcome} ${selected === row.id ? 'selected' : ''}`}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => setSelected((s) => (s === row.id ? undefined : row.id))}
                  onKeyDown={(e) => e.key === 'Enter' && setSelected(row.id)}
                  title={row.error}
                >
                  <span className="mono">{fmtRunTime(row.t)}</span>
                  <span className="mono">{row.id}</span>
                  <span className="ellipsis">{row.target}</span>
                  <span className={`mono status-${statusClass(row.status)}`}>{row.status ?? '–'}</span>
                  <span>
                    <span className={`outcome-pill ${row.outcome}`}>{row.outcome}</span>
                  </span>
                  <span className="num mono">{fmtMs(row.durationMs)}</span>
                  <span className="mono ellipsis">{row.clientKey ?? ''}</span>
                  <span className={`num mono ${row.calls > 1 ? 'warn-text' : ''}`}>{row.calls || ''}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {selected && <RequestDetailsPanel events={events} id={selected} onClose={() => setSelected(undefined)} />}
    </div>
  );
};

const statusClass = (status: number | undefined) => (status === undefined ? 'none' : status < 400 ? 'ok' : status < 500 ? 'client' : 'server');

