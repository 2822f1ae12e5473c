/** An HTTP status to fail with: the usual ones, and whatever else the spec already uses. */
import { STATUSES } from './faultForm.ts';

export const StatusSelect = ({ value, onChange, id }: { value: number; onChange: (status: number) => void; id?: string }) => {
  const options = STATUSES.some((s) => s.status === value) ? STATUSES : [...STATUSES, { status: value, label: String(value) }];
  return (
    <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))} aria-label="HTTP status">
      {options.map((s) => (
        <option key={s.status} value={s.status}>
          {s.label}
        </option>
      ))}
    </select>
  );
};
