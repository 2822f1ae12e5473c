/**
 * The traffic driven into the lab: what runs now and its progress, Stop load
 * and the lab's default load at a click, and, folded until wanted, the full
 * form — open or closed model, ramps, bounds and client keys — with Apply.
 */
import { memo, useEffect, useId, useState } from 'react';
import type { LoadProfile, TelemetryOf } from '../../../../../../patterns/kit/index.ts';
import { api } from '../../../../api/client.ts';
import { ErrorNotice } from '../../../../components/ErrorNotice.tsx';
import { describeLoad } from '../../../../views/shared/describe.ts';
import type { FormErrors } from '../faults/faultForm.ts';
import { useFold } from '../fold.ts';
import { FormActions } from '../FormActions.tsx';
import { formFromProfile, profileFromForm, progressFigures, type LoadForm } from './loadForm.ts';

export interface LoadPanelProps {
  runId: string | undefined;
  profile: LoadProfile | undefined;
  /** The load a new run of this lab starts with: one click brings it back. */
  defaultLoad: LoadProfile;
  progress: TelemetryOf<'load.progress'> | undefined;
  disabled: boolean;
}

export const LoadPanel = memo(function LoadPanel({ runId, profile, defaultLoad, progress, disabled }: LoadPanelProps) {
  const id = useId();
  const [formOpen, onFormToggle] = useFold('load-form');
  const [form, setForm] = useState<LoadForm>(() => formFromProfile(profile));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const profileKey = JSON.stringify(profile ?? null);
  useEffect(() => {
    if (!dirty) setForm(formFromProfile((JSON.parse(profileKey) as LoadProfile | null) ?? undefined));
  }, [profileKey, dirty]);

  const edit = (patch: Partial<LoadForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
  };

  const send = async (next: LoadProfile) => {
    if (!runId) return;
    setBusy(true);
    setApiError(undefined);
    try {
      const answer = await api.setLoad(runId, next);
      setForm(formFromProfile(answer.profile));
      setDirty(false);
    } catch (error) {
      setApiError(error);
    } finally {
      setBusy(false);
    }
  };

  const apply = () => {
    const result = profileFromForm(form);
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) void send(result.profile);
  };

  const figures = progress && profile && profile.model !== 'none' ? progressFigures(progress) : undefined;
  const err = (field: string) => errors[field];
  const off = disabled || busy;
  const number = (field: keyof LoadForm, label: string, props: { min?: number; step?: number; placeholder?: string; unit?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <div className="inline">
        <input
          id={`${id}-${field}`}
          type="number"
          className="short"
          min={props.min}
          step={props.step}
          placeholder={props.placeholder}
          value={form[field] as string}
          onChange={(e) => edit({ [field]: e.target.value })}
          aria-invalid={!!err(field)}
        />
        {props.unit}
        {err(field) && <span className="field-error">{err(field)}</span>}
      </div>
    </div>
  );

  return (
    <details className="panel control-panel load-panel" open>
      <summary>
        <span className="panel-title">Load</span>
        <span className="load-now">{profile ? describeLoad(profile) : 'default load'}</span>
      </summary>
      {figures && progress && (
        <div className="load-progress" aria-label="Load progress">
          <div className={`progress-bar ${figures.fraction === undefined ? 'indeterminate' : ''} ${figures.done ? 'done' : ''}`}>
            <div style={{ width: `${(figures.fraction ?? 1) * 100}%` }} />
          </div>
          <div className="progress-figures small">
            <span>
              sent <b>{progress.sent.toLocaleString()}</b>
            </span>
            <span>
              completed <b>{progress.completed.toLocaleString()}</b>
            </span>
            <span>
              in flight <b>{progress.inFlight}</b>
            </span>
            <span className="muted">{figures.bound}</span>
            {figures.done && <span className="ok-text">done</span>}
          </div>
        </div>
      )}
      <div className="quick-actions">
        <button type="button" className="small-button" disabled={off || !runId || profile?.model === 'none'} onClick={() => void send({ model: 'none' })}>
          ■ Stop load
        </button>
        <button
          type="button"
          className="small-button"
          title={`Back to the load this lab starts with: ${describeLoad(defaultLoad)}`}
          disabled={off || !runId || sameLoad(profile, defaultLoad)}
          onClick={() => void send(defaultLoad)}
        >
          ▶ Default load ({describeLoad(defaultLoad)})
        </button>
      </div>
      <details className="fold load-form-fold" open={formOpen} onToggle={onFormToggle}>
        <summary>Change the load (rate, clients, ramps, bounds)</summary>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <fieldset disabled={off}>
            <div className="segmented" role="radiogroup" aria-label="Load model">
              {(['open', 'closed', 'none'] as const).map((model) => (
                <label key={model} className={form.model === model ? 'active' : ''} title={MODEL_TITLES[model]}>
                  <input type="radio" name={`${id}-model`} value={model} checked={form.model === model} onChange={() => edit({ model })} />
                  {MODEL_LABELS[model]}
                </label>
              ))}
            </div>
            {form.model === 'open' && (
              <>
                {number('rate', 'Rate', { min: 0, step: 1, unit: 'req/s' })}
                <div className="stages">
                  {form.stages.map((stage, i) => (
                    <div key={i} className="inline stage-row">
                      then ramp to
                      <input type="number" className="short" min={0} value={stage.target} onChange={(e) => edit({ stages: form.stages.map((s, j) => (j === i ? { ...s, target: e.target.value } : s)) })} aria-label={`Stage ${i + 1} target rate`} aria-invalid={!!err(`stages.${i}.target`)} />
                      req/s over
                      <input type="number" className="short" min={0.1} value={stage.durationS} onChange={(e) => edit({ stages: form.stages.map((s, j) => (j === i ? { ...s, durationS: e.target.value } : s)) })} aria-label={`Stage ${i + 1} duration`} aria-invalid={!!err(`stages.${i}.durationS`)} />s
                      <button type="button" className="small-button" onClick={() => edit({ stages: form.stages.filter((_, j) => j !== i) })} aria-label={`Remove stage ${i + 1}`}>
                        ✕
                      </button>
                      {(err(`stages.${i}.target`) || err(`stages.${i}.durationS`)) && <span className="field-error">{err(`stages.${i}.target`) ?? err(`stages.${i}.durationS`)}</span>}
                    </div>
                  ))}
                  <button type="button" className="small-button" onClick={() => edit({ stages: [...form.stages, { durationS: '10', target: String(Number(form.rate) * 2 || 50) }] })}>
                    + ramp stage
                  </button>
                </div>
              </>
            )}
            {form.model === 'closed' && (
              <>
                {number('concurrency', 'Concurrency', { min: 1, step: 1, unit: 'clients in flight' })}
                {number('thinkTimeMs', 'Think time', { min: 0, step: 50, placeholder: '0', unit: 'ms' })}
              </>
            )}
            {form.model !== 'none' && (
              <>
                {number('durationS', 'Duration', { min: 0, step: 1, placeholder: '∞', unit: 's' })}
                {number('amount', 'Amount', { min: 1, step: 1, placeholder: '∞', unit: 'requests' })}
                {number('clients', 'Client keys', { min: 1, step: 1, placeholder: '1', unit: '(client-0 …)' })}
              </>
            )}
            <FormActions canApply={!!runId} dirty={dirty} />
          </fieldset>
        </form>
      </details>
      {apiError !== undefined && <ErrorNotice error={apiError} title="Could not change the load" />}
    </details>
  );
});

const MODEL_LABELS = { open: 'Open (rate)', closed: 'Closed (clients)', none: 'None' } as const;
const MODEL_TITLES = {
  open: 'Requests arrive at a rate whatever the system does, like real users',
  closed: 'A fixed number of clients, each waiting for its answer before the next request',
  none: 'No traffic',
} as const;

/** The same traffic, whatever the order of its fields. */
const sameLoad = (a: LoadProfile | undefined, b: LoadProfile): boolean => a !== undefined && JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
