/**
 * A table of events drawn from its spec: the request log, the logs, a lab's
 * dead letters. The newest rows come at the bottom, virtualised so thousands
 * scroll smoothly; it follows the live end until the learner scrolls up,
 * then holds still until they jump back. Filters and a search narrow it; a
 * row opens its details, by click or by the keyboard (Tab to the rows, the
 * arrow keys between them, Enter or Space to open and close).
 */
import './table.css';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useState, type KeyboardEvent } from 'react';
import type { TableViewSpec } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { CellValue, cellClass, gridColumns, rowTitle, rowTones } from './Cell.tsx';
import { filterRows, NO_FILTER, type TableFilter } from './filter.ts';
import { makeTableReducer, type TableReducer, type TableRow } from './reducer.ts';
import { RowDetails } from './RowDetails.tsx';
import { Toolbar } from './Toolbar.tsx';
import { useFollow } from './useFollow.ts';

const ROW_HEIGHT = 26;

export const TableView = ({ spec, events, revision, nowT }: ViewProps<TableViewSpec>) => {
  const reducer = useMemo(() => makeTableReducer(spec), [spec]);
  const { layout } = reducer;
  const model = useViewModel(reducer, events, revision, nowT);
  const [filter, setFilter] = useState<TableFilter>(NO_FILTER);
  const follow = useFollow(model.rows, model.total, ROW_HEIGHT, reducer);
  const rows = useMemo(() => filterRows(follow.rows, layout, filter), [follow.rows, layout, filter]);
  // The opened row belongs to the spec it was read with: another lab's table opens nothing.
  const [opened, setOpened] = useState<{ reducer: TableReducer; row: TableRow }>();
  const selected = opened?.reducer === reducer ? opened.row : undefined;
  const toggle = (row: TableRow) => setOpened(selected?.seq === row.seq ? undefined : { reducer, row });
  // One tab stop for the rows (the last one focused, else the first drawn); the arrow keys move between them.
  const [focusSeq, setFocusSeq] = useState<number>();
  const onRowKey = (event: KeyboardEvent<HTMLDivElement>, row: TableRow) => {
    if (event.key === 'Enter' || event.key === ' ') {
      // Space opens the row here; it does not also pause the lab.
      event.preventDefault();
      event.stopPropagation();
      toggle(row);
      return;
    }
    const next =
      event.key === 'ArrowDown' ? event.currentTarget.nextElementSibling : event.key === 'ArrowUp' ? event.currentTarget.previousElementSibling : null;
    if (next instanceof HTMLElement && next.getAttribute('role') === 'row') {
      event.preventDefault();
      next.focus();
    }
  };

  const related = layout.key === undefined ? [] : (spec.relatedCounts ?? []);
  const grid = { gridTemplateColumns: gridColumns(layout, related.length) };
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => follow.scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The body's most (20rem): rows in the first frame, before the scroller is measured.
    initialRect: { width: 0, height: 320 },
    // Scroll-driven updates render with the next batch, not synchronously on every scroll event.
    useFlushSync: false,
  });

  // Following: stay at the bottom. Rows have a fixed height, so the end is known without measuring
  // (the browser clamps the offset); cheaper than the virtualizer's animated scroll-to-index.
  useLayoutEffect(() => {
    const el = follow.scroller.current;
    if (follow.following && el) el.scrollTop = rows.length * ROW_HEIGHT;
  }, [follow.following, follow.scroller, rows]);

  return (
    <div className="table-view">
      <Toolbar
        spec={spec}
        layout={layout}
        model={model}
        filter={filter}
        onFilter={setFilter}
        shown={rows.length}
        following={follow.following}
        newSince={follow.newSince}
        onLatest={follow.jumpToLatest}
      />
      <div className="tv-table" role="table" aria-label={spec.title} aria-rowcount={rows.length + 1}>
        <div role="rowgroup">
          <div className="tv-row tv-head" role="row" aria-rowindex={1} style={grid}>
            {layout.columns.map((c) => (
              <span key={c.field} role="columnheader" className={cellClass(c.field, c.format)}>
                {c.label}
              </span>
            ))}
            {related.map((r) => (
              <span key={r.label} role="columnheader" className="num">
                {r.label}
              </span>
            ))}
          </div>
        </div>
        <div className="tv-body" role="rowgroup" ref={follow.scroller} onScroll={follow.onScroll}>
          {/* A rowgroup holds rows: the note that there are none is one, a cell wide. */}
          {rows.length === 0 && (
            <div role="row">
              <p role="cell" className="muted empty">
                {model.total === 0 ? (spec.empty ?? 'Nothing yet.') : 'Nothing matches the filter.'}
              </p>
            </div>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item, drawn, items) => {
              const row = rows[item.index]!;
              const isSelected = selected?.seq === row.seq;
              const tabStop = items.some((i) => rows[i.index]!.seq === focusSeq) ? row.seq === focusSeq : drawn === 0;
              return (
                <div
                  key={row.seq}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={isSelected}
                  tabIndex={tabStop ? 0 : -1}
                  className={['tv-row', rowTones(layout, row), isSelected && 'selected'].filter(Boolean).join(' ')}
                  style={{ ...grid, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => toggle(row)}
                  onKeyDown={(e) => onRowKey(e, row)}
                  onFocus={(e) => {
                    setFocusSeq(row.seq);
                    // The keyboard's focus (not a click's): hold the rows still under it.
                    if (e.currentTarget.matches(':focus-visible')) follow.hold();
                  }}
                  title={rowTitle(layout, row)}
                >
                  {layout.columns.map((c) => (
                    <span key={c.field} role="cell" className={cellClass(c.field, c.format)} title={c.format === 'json' ? formatValue(row.values[c.index], 'json') : undefined}>
                      <CellValue field={c.field} value={row.values[c.index]} format={c.format} />
                    </span>
                  ))}
                  {related.map((r, i) => (
                    <span key={r.label} role="cell" className={`num mono ${(row.related?.[i] ?? 0) > (r.warnAbove ?? Infinity) ? 'warn-text' : ''}`}>
                      {row.related?.[i] || ''}
                    </span>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {selected && <RowDetails spec={spec} layout={layout} events={events} row={selected} onClose={() => setOpened(undefined)} />}
    </div>
  );
};
