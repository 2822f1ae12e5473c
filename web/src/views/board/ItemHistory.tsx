/** An item's moves between columns, oldest first, with its card fields at each move. */
import type { FieldDisplay, Tone } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { fmtRunTime } from '../shared/format.ts';
import type { BoardCard } from './reducer.ts';

export interface ItemHistoryProps {
  id: string;
  /** Undefined once the item is no longer among the cards shown. */
  card: BoardCard | undefined;
  fields: readonly FieldDisplay[];
  look: (state: string) => { label: string; tone: Tone };
  onClose: () => void;
}

const State = ({ state, look }: { state: string; look: ItemHistoryProps['look'] }) => (
  <span className={`board-state tone-${look(state).tone}`}>{look(state).label}</span>
);

export const ItemHistory = ({ id, card, fields, look, onClose }: ItemHistoryProps) => {
  return (
    <section className="board-history" aria-label={`History of ${id}`}>
      <header>
        <strong className="mono">{id}</strong>
        {card && (
          <span className="muted small">
            {card.moves} move{card.moves === 1 ? '' : 's'}
            {card.moves > card.history.length && `, the newest ${card.history.length} shown`}
          </span>
        )}
        <button type="button" className="small-button" onClick={onClose} aria-label="Close the history">
          ✕
        </button>
      </header>
      {card ? (
        <ol>
          {card.history.map((move, i) => (
            <li key={`${move.t}-${i}`}>
              <span className="t mono">{fmtRunTime(move.t)}</span> {move.from !== undefined && <><State state={move.from} look={look} /> → </>}
              <State state={move.to} look={look} />
              {fields
                .filter((f) => move.fields[f.field] !== undefined && move.fields[f.field] !== null && move.fields[f.field] !== '')
                .map((f) => (
                  <span key={f.field} className="muted">
                    {' '}
                    · {f.label} {formatValue(move.fields[f.field], f.format)}
                  </span>
                ))}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted small">It is no longer among the newest cards of its column.</p>
      )}
    </section>
  );
};
