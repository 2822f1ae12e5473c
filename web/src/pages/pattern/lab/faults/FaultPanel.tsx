/**
 * One fault point's controls: what is injected now, presets that act at
 * once, and, folded until wanted, the full spec — error rate and kind,
 * latency, fail-first, timed windows — applied with Apply.
 */
import { memo, useEffect, useId, useState } from 'react';
import type { FaultPointInfo, FaultSpec } from '../../../../../../patterns/kit/index.ts';
import { api } from '../../../../api/client.ts';
import { ErrorNotice } from '../../../../components/ErrorNotice.tsx';
import { describeFault } from '../../../../views/shared/describe.ts';
import { fmtRunTime } from '../../../../views/shared/format.ts';
import { applyPreset, formFromSpec, isHealthy, KIND_LABELS, kindsFor, PRESETS, specFromForm, type FaultForm, type FormErrors } from './faultForm.ts';
import { useFold } from '../fold.ts';
import { FormActions } from '../FormActions.tsx';
import { ScheduleEditor } from './ScheduleEditor.tsx';
import { StatusSelect } from './StatusSelect.tsx';

export interface FaultPanelProps {
  point: FaultPointInfo;
  spec: FaultSpec;
  runId: string | undefined;
  /** The run's current time (for presets and windows), read when needed. */
  nowT: () => number;
  /** When the scheduled window failing calls at the shown time ends, if one is. */
  activeUntil: number | undefined;
  disabled: boolean;
}

export const FaultPanel = memo(function FaultPanel({ point, spec, runId, nowT, activeUntil, disabled }: FaultPanelProps) {
  const id = useId();
  const [form, setForm] = useState<FaultForm>(() => formFromSpec(spec, point));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const kinds = kindsFor(point);
  // The presets cover most of what a learner does; the full form opens when wanted.
  const [formOpen, onFormToggle] = useFold('fault-form');

  // Follow the run's spec (changed here, in another tab or by a preset) unless the learner is editing.
  const specKey = JSON.stringify(spec);
  useEffect(() => {
    if (!dirty) setForm(formFromSpec(JSON.parse(specKey) as FaultSpec, point));
  }, [specKey, point, dirty]);

  const edit = (patch: Partial<FaultForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
  };

  const apply = async (next: FaultForm) => {
    const result = specFromForm(next);
    setErrors(result.ok ? {} : result.errors);
    setForm(next);
    if (!result.ok || !runId) return;
    setBusy(true);
    setApiError(undefined);
    try {
      const answer = await api.setFault(runId, point.id, result.spec);
      setForm(formFromSpec(answer.spec, point));
      setDirty(false);
    } catch (error) {
      setApiError(error);
    } finally {
      setBusy(false);
    }
  };

  const healthy = isHealthy(spec);
  const off = disabled || busy;
  return (
    <details className="panel control-panel fault-panel" open>
      <summary>
        <span className="panel-title">
          Faults: <b>{point.title}</b> <code className="muted">{point.id}</code>
        </span>
        <span className={`fault-now ${healthy ? 'healthy' : 'faulty'}`}>{describeFault(spec)}</span>
        {activeUntil !== undefined && <span className="badge window-active">window active until {fmtRunTime(activeUntil)}</span>}
      </summary>
      <p className="muted small">{point.description}</p>
      <div className="presets" role="group" aria-label={`Presets for ${point.id}`}>
        {PRESETS.map((p) => (
          <button key={p.id} type="button" className={`small-button preset-${p.id}`} title={p.title} disabled={off} onClick={() => apply(applyPreset(form, p.id, nowT(), point))}>
            {p.label}
          </button>
        ))}
      </div>
      <details className="fold fault-form-fold" open={formOpen} onToggle={onFormToggle}>
        <summary>Custom fault (error rate, latency, fail first, windows)</summary>
        <form
          noValidate
          className="fault-form"
          onSubmit={(e) => {
            e.preventDefault();
            void apply(form);
          }}
        >
          <fieldset disabled={off}>
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => edit({ enabled: e.target.checked })} /> inject faults here
            </label>
            <div className="field">
              <label htmlFor={`${id}-rate`}>Error rate</label>
              <input id={`${id}-rate`} type="range" min={0} max={100} step={1} value={form.errorRatePct} onChange={(e) => edit({ errorRatePct: Number(e.target.value) })} />
              <output className="mono">{form.errorRatePct}%</output>
            </div>
            <div className="field">
              <label htmlFor={`${id}-kind`}>Error</label>
              <div className="inline">
                <select id={`${id}-kind`} value={form.kind} onChange={(e) => edit({ kind: e.target.value as FaultForm['kind'] })}>
                  {kinds.map((k) => (
                    <option key={k} value={k}>
                      {KIND_LABELS[k]}
                    </option>
                  ))}
                </select>
                {form.kind === 'status' && (
                  <>
                    <StatusSelect value={form.status} onChange={(status) => edit({ status })} />
                    <label className="small" title={errors.retryAfterS ?? 'Retry-After header, seconds (empty: none)'}>
                      Retry-After
                      <input type="number" min={0} step={1} placeholder="–" className="short" value={form.retryAfterS} onChange={(e) => edit({ retryAfterS: e.target.value })} aria-invalid={!!errors.retryAfterS} />s
                    </label>
                  </>
                )}
                {form.kind === 'exception' && <input type="text" placeholder="message (optional)" value={form.message} onChange={(e) => edit({ message: e.target.value })} />}
              </div>
            </div>
            <div className="field">
              <label>Latency</label>
              <div className="inline">
                <input type="number" min={0} step={50} className="short" value={form.latencyBaseMs} onChange={(e) => edit({ latencyBaseMs: e.target.value })} aria-label="Latency base (ms)" aria-invalid={!!errors.latencyBaseMs} />
                ±
                <input type="number" min={0} step={50} className="short" value={form.latencyJitterMs} onChange={(e) => edit({ latencyJitterMs: e.target.value })} aria-label="Latency jitter (ms)" aria-invalid={!!errors.latencyJitterMs} />
                ms on
                <input type="range" min={0} max={100} step={5} value={form.latencyRatePct} onChange={(e) => edit({ latencyRatePct: Number(e.target.value) })} aria-label="Share of calls slowed" />
                <output className="mono">{form.latencyRatePct}%</output>
              </div>
            </div>
            <div className="field">
              <label htmlFor={`${id}-ff`}>Fail first</label>
              <div className="inline">
                <input id={`${id}-ff`} type="number" min={0} step={1} className="short" value={form.failFirst} onChange={(e) => edit({ failFirst: e.target.value })} aria-invalid={!!errors.failFirst} /> calls after applying
              </div>
            </div>
            <ScheduleEditor windows={form.schedule} kinds={kinds} errors={errors} nowT={nowT} onChange={(schedule) => edit({ schedule })} disabled={off} />
            {Object.keys(errors).length > 0 && (
              <ul className="field-errors">
                {Object.entries(errors).map(([field, message]) => (
                  <li key={field}>{message}</li>
                ))}
              </ul>
            )}
            <FormActions
              canApply={!!runId}
              dirty={dirty}
              onRevert={() => {
                setForm(formFromSpec(spec, point));
                setDirty(false);
                setErrors({});
              }}
            />
          </fieldset>
        </form>
      </details>
      {apiError !== undefined && <ErrorNotice error={apiError} title="Could not apply" />}
    </details>
  );
});
