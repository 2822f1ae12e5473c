/** Timed fault windows, in run time: start, duration, repeat every, and the error during the window. */
import { KIND_LABELS, type ErrorKind, type FormErrors, type WindowForm } from './faultForm.ts';
import { StatusSelect } from './StatusSelect.tsx';

export interface ScheduleEditorProps {
  windows: readonly WindowForm[];
  kinds: readonly ErrorKind[];
  errors: FormErrors;
  nowT: () => number;
  onChange: (windows: WindowForm[]) => void;
  disabled: boolean;
}

export const ScheduleEditor = ({ windows, kinds, errors, nowT, onChange, disabled }: ScheduleEditorProps) => {
  const update = (index: number, patch: Partial<WindowForm>) => onChange(windows.map((w, i) => (i === index ? { ...w, ...patch } : w)));
  const add = () =>
    onChange([
      ...windows,
      { startS: String(Math.round(nowT() / 1000) + 5), durationS: '10', repeatS: '', kind: kinds.includes('down') ? 'down' : kinds[0]!, status: 503, ratePct: 100 },
    ]);
  return (
    <fieldset className="schedule" disabled={disabled}>
      <legend>Schedule (run time)</legend>
      {windows.length === 0 && <p className="muted small">No timed windows. A window fails calls from its start for its duration, once or repeatedly.</p>}
      {windows.map((w, i) => {
        const err = (field: string) => errors[`schedule.${i}.${field}`];
        return (
          <div key={i} className="window-row">
            <label title={err('startS')}>
              from
              <input type="number" min={0} step={1} value={w.startS} onChange={(e) => update(i, { startS: e.target.value })} aria-invalid={!!err('startS')} />s
            </label>
            <label title={err('durationS')}>
              for
              <input type="number" min={0.1} step={1} value={w.durationS} onChange={(e) => update(i, { durationS: e.target.value })} aria-invalid={!!err('durationS')} />s
            </label>
            <label title={err('repeatS') ?? 'empty: once'}>
              every
              <input type="number" min={0} step={1} placeholder="once" value={w.repeatS} onChange={(e) => update(i, { repeatS: e.target.value })} aria-invalid={!!err('repeatS')} />s
            </label>
            <select value={w.kind} onChange={(e) => update(i, { kind: e.target.value as ErrorKind })} aria-label="Error during the window">
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
            {w.kind === 'status' && <StatusSelect value={w.status} onChange={(status) => update(i, { status })} />}
            <label className="rate" title="Share of calls that fail during the window">
              <input type="number" min={0} max={100} step={5} value={w.ratePct} onChange={(e) => update(i, { ratePct: Math.min(100, Math.max(0, Number(e.target.value))) })} />%
            </label>
            <button type="button" className="small-button" onClick={() => onChange(windows.filter((_, j) => j !== i))} aria-label={`Remove window ${i + 1}`}>
              ✕
            </button>
            {['startS', 'durationS', 'repeatS', 'status'].map((f) => err(f) && <span key={f} className="field-error">{err(f)}</span>)}
          </div>
        );
      })}
      <button type="button" className="small-button" onClick={add}>
        + window
      </button>
    </fieldset>
  );
};
