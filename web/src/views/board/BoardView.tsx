/**
 * The generic board view (background jobs, as Bull Board shows a queue): a
 * column per state with its count and its newest items; a card shows the
 * fields of its item's latest event, and opens the item's history of moves.
 */
import './board.css';
import { useMemo, useState } from 'react';
import type { BoardViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtRunTime } from '../shared/format.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { BoardCardButton } from './BoardCard.tsx';
import { ItemHistory } from './ItemHistory.tsx';
import { makeBoardReducer, MAX_ITEMS, type BoardColumn } from './reducer.ts';

export const BoardView = ({ spec, events, revision, nowT }: ViewProps<BoardViewSpec>) => {
  const reducer = useMemo(() => makeBoardReducer(spec), [spec]);
  const model = useViewModel(reducer, events, revision, nowT);
  const [selected, setSelected] = useState<string | undefined>();
  const selectedCard = selected === undefined ? undefined : model.columns.flatMap((c) => c.cards).find((card) => card.id === selected);
  const toggle = (id: string) => setSelected((current) => (current === id ? undefined : id));
  const look = (state: string): Pick<BoardColumn, 'label' | 'tone'> => model.columns.find((c) => c.state === state) ?? { label: state, tone: 'neutral' };

  return (
    <div className="board-view">
      {model.afresh && spec.startsAfresh && (
        <p className="muted small board-afresh">
          Since {fmtRunTime(model.afresh.t)}: {spec.startsAfresh.label} <strong>{model.afresh.value}</strong>. Items from before are not shown.
        </p>
      )}
      <div className="board-columns" style={{ gridTemplateColumns: `repeat(${model.columns.length}, minmax(10rem, 1fr))` }}>
        {model.columns.map((column) => (
          <section key={column.state} className={`board-column tone-${column.tone}`} aria-label={`${column.label}: ${column.count}`}>
            <header>
              <span className="label">{column.label}</span>
              <span className="count">{fmtCount(column.count)}</span>
            </header>
            {!column.declared && <p className="muted small">Not a column this view expects.</p>}
            <ol className="board-cards">
              {column.cards.map((card) => (
                <li key={card.id}>
                  <BoardCardButton card={card} fields={spec.cardFields ?? []} nowT={nowT} selected={card.id === selected} onClick={() => toggle(card.id)} />
                </li>
              ))}
            </ol>
            {column.count > column.cards.length && <p className="muted small more">and {fmtCount(column.count - column.cards.length)} more</p>}
            {column.count === 0 && <p className="muted small more">none</p>}
          </section>
        ))}
      </div>
      {selected !== undefined && (
        <ItemHistory id={selected} card={selectedCard} fields={spec.cardFields ?? []} look={look} onClose={() => setSelected(undefined)} />
      )}
      {model.letGo > 0 && (
        <p className="muted small">
          Following the {fmtCount(MAX_ITEMS)} most recently moved items: {fmtCount(model.letGo)} older one{model.letGo === 1 ? ' was' : 's were'} let go. They still
          count in their columns, but have no cards.
        </p>
      )}
    </div>
  );
};
