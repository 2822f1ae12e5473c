/** One item on the board: its id, how long it has been in its column, and its card fields. */
import type { FieldDisplay } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { fmtRunTime } from '../shared/format.ts';
import type { BoardCard } from './reducer.ts';

export interface BoardCardProps {
  card: BoardCard;
  fields: readonly FieldDisplay[];
  nowT: number;
  selected: boolean;
  onClick: () => void;
}

export const BoardCardButton = ({ card, fields, nowT, selected, onClick }: BoardCardProps) => (
  <button type="button" className={selected ? 'board-card selected' : 'board-card'} aria-pressed={selected} onClick={onClick} title="Show its history">
    <span className="board-card-head">
      <span className="mono ellipsis">{card.id}</span>
      <span className="muted">{fmtRunTime(Math.max(0, nowT - card.since))}</span>
    </span>
    {fields.map((f) => {
      const value = card.fields[f.field];
      // An empty field (no error yet) says nothing: leave it off the card.
      if (value === undefined || value === null || value === '') return null;
      return (
        <span key={f.field} className="board-card-field">
          <span className="muted">{f.label}</span> <span className="ellipsis">{formatValue(value, f.format)}</span>
        </span>
      );
    })}
  </button>
);
