/** The run's structured logs, newest at the bottom, filtered by level and text. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogLevel } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtRunTime } from '../shared/format.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { filterLogs, LEVELS, logsReducer } from './reducer.ts';

const ROW_HEIGHT = 24;

export const LogsView = ({ events, revision, nowT }: ViewProps) => {
  const model = useViewModel(logsReducer, events, revision, nowT);
  const [minLevel, setMinLevel] = useState<LogLevel>('debug');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const rows = useMemo(() => filterLogs(model.rows, minLevel, text), [model.rows, minLevel, text]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    useFlushSync: false,
  });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = rows.length * ROW_HEIGHT;
  }, [follow, rows]);

  // Only the learner scrolling up stops following (new lines and our own scrolling only move down).
  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const scrolledUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 1.5;
    if (atBottom) setFollow(true);
    else if (scrolledUp) setFollow(false);
  };

  return (
    <div className="logs-view">
      <div className="view-toolbar">
        <div className="level-filter" role="group" aria-label="Minimum level">
          {LEVELS.map((level) => (
            <button key={level} type="button" className={`small-button level-${level} ${minLevel === level ? 'active' : ''}`} onClick={() => setMinLevel(level)} aria-pressed={minLevel === level}>
              {level} {fmtCount(model.counts[level])}
            </button>
          ))}
        </div>
        <input type="search" placeholder="Filter messages and fields…" aria-label="Filter logs" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted small grow">{fmtCount(rows.length)} shown</span>
        {!follow && (
          <button type="button" className="small-button" onClick={() => setFollow(true)}>
            ↓ Latest
          </button>
        )}
      </div>
      <div className="log-body" ref={scroller} onScroll={onScroll}>
        {rows.length === 0 && <p className="muted empty">{model.rows.length ? 'No log line matches.' : 'No logs yet.'}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const fields = Object.keys(row.fields).length ? JSON.stringify(row.fields) : '';
            return (
              <div key={item.key} className={`log-row level-${row.level}`} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }} title={fields}>
                <span className="mono t">{fmtRunTime(row.t)}</span>
                <span className={`tag level-${row.level}`}>{row.level}</span>
                <span className="msg">{row.msg}</span>
                <code className="fields muted">{fields}</code>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
};
