/** A table's filters (a choice per field, a minimum level), its search, what is shown, and following the live end. */
import type { TableViewSpec } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import { fmtCount } from '../shared/format.ts';
import { LEVELS, NOT_OK, type TableFilter } from './filter.ts';
import type { FilterChoices, TableLayout, TableModel } from './reducer.ts';

interface ToolbarProps {
  spec: TableViewSpec;
  layout: TableLayout;
  model: TableModel;
  filter: TableFilter;
  onFilter: (filter: TableFilter) => void;
  shown: number;
  following: boolean;
  newSince: number;
  onLatest: () => void;
}

export const Toolbar = ({ spec, layout, model, filter, onFilter, shown, following, newSince, onLatest }: ToolbarProps) => {
  const choose = (field: string, value: string) => onFilter({ ...filter, choices: { ...filter.choices, [field]: value } });
  const searched = layout.search.map((i) => layout.columns.find((c) => c.field === layout.fields[i])?.label ?? layout.fields[i]);
  return (
    <div className="view-toolbar">
      {model.filters.map((f) =>
        f.format === 'level' ? (
          <LevelFilter key={f.field} filter={f} chosen={filter.choices[f.field] || LEVELS[0]!} onChoose={(v) => choose(f.field, v)} />
        ) : (
          <ChoiceFilter key={f.field} filter={f} chosen={filter.choices[f.field] ?? ''} onChoose={(v) => choose(f.field, v)} />
        ),
      )}
      {searched.length > 0 && (
        <input
          type="search"
          placeholder={`Filter: ${searched.slice(0, 3).join(', ')}…`}
          title={`Every word must appear in one of: ${searched.join(', ')}`}
          className="table-search"
          aria-label={`Search ${spec.title}`}
          value={filter.text}
          onChange={(e) => onFilter({ ...filter, text: e.target.value })}
        />
      )}
      <span className="muted small grow">
        {fmtCount(shown)} shown
        {model.total > model.rows.length && ` · last ${fmtCount(model.rows.length)} of ${fmtCount(model.total)} kept`}
      </span>
      {following ? (
        <span className="follow-state small">● following</span>
      ) : (
        <button type="button" className="small-button" onClick={onLatest}>
          ↓ Latest{newSince > 0 ? ` (${fmtCount(newSince)} new)` : ''}
        </button>
      )}
    </div>
  );
};

const capitalised = (label: string) => label.charAt(0).toUpperCase() + label.slice(1);

/** A select among the values seen; hidden while there is nothing to choose between. */
const ChoiceFilter = ({ filter, chosen, onChoose }: { filter: FilterChoices; chosen: string; onChoose: (value: string) => void }) => {
  const options = filter.choices.map((c) => ({ value: String(c.value), label: formatValue(c.value, filter.format) }));
  if (options.length < 2 && !chosen) return null;
  // A choice made earlier stays offered even if its rows are gone (a scrub back, a new run).
  if (chosen && chosen !== NOT_OK && !options.some((o) => o.value === chosen)) options.push({ value: chosen, label: chosen });
  return (
    <select aria-label={capitalised(filter.label)} value={chosen} onChange={(e) => onChoose(e.target.value)}>
      <option value="">any {filter.label}</option>
      {filter.format === 'outcome' && <option value={NOT_OK}>not ok</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
};

/** Buttons per level with how many lines each had: one chooses the minimum shown. */
const LevelFilter = ({ filter, chosen, onChoose }: { filter: FilterChoices; chosen: string; onChoose: (level: string) => void }) => (
  <div className="level-filter" role="group" aria-label={`Minimum ${filter.label}`}>
    {LEVELS.map((level) => (
      <button
        key={level}
        type="button"
        className={`small-button level-${level} ${chosen === level ? 'active' : ''}`}
        onClick={() => onChoose(level)}
        aria-pressed={chosen === level}
      >
        {level} {fmtCount(filter.choices.find((c) => c.value === level)?.count ?? 0)}
      </button>
    ))}
  </div>
);
