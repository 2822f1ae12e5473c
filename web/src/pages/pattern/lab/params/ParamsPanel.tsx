/**
 * The lab's parameters, changed live: numbers with their range and unit,
 * choices, switches. Folded until wanted; folded, it still says which differ
 * from the lab's defaults.
 */
import { memo, useEffect, useId, useState } from 'react';
import type { ParamSpec, Params } from '../../../../../../patterns/kit/index.ts';
import { api } from '../../../../api/client.ts';
import { ErrorNotice } from '../../../../components/ErrorNotice.tsx';
import type { FormErrors } from '../faults/faultForm.ts';
import { useFold } from '../fold.ts';
import { FormActions } from '../FormActions.tsx';
import { changedParams, describeChanges, formFromParams, type ParamsForm } from './paramsForm.ts';

export interface ParamsPanelProps {
  runId: string | undefined;
  specs: readonly ParamSpec[];
  params: Params;
  disabled: boolean;
}

export const ParamsPanel = memo(function ParamsPanel({ runId, specs, params, disabled }: ParamsPanelProps) {
  const id = useId();
  const [form, setForm] = useState<ParamsForm>(() => formFromParams(specs, params));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string>();
  const [open, onToggle] = useFold('params');

  const paramsKey = JSON.stringify(params);
  useEffect(() => {
    if (!dirty) setForm(formFromParams(specs, JSON.parse(paramsKey) as Params));
  }, [specs, paramsKey, dirty]);

  if (specs.length === 0) return null;

  const edit = (paramId: string, value: string | boolean) => {
    setForm((f) => ({ ...f, [paramId]: value }));
    setDirty(true);
    setNote(undefined);
  };

  const apply = async () => {
    const result = changedParams(specs, form, params);
    setErrors(result.ok ? {} : result.errors);
    if (!result.ok || !runId) return;
    if (Object.keys(result.changed).length === 0) {
      setDirty(false);
      setNote('nothing changed');
      return;
    }
    setBusy(true);
    setApiError(undefined);
    try {
      await api.setParams(runId, result.changed);
      setDirty(false);
      setNote(`applied ${Object.keys(result.changed).join(', ')}`);
    } catch (error) {
      setApiError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="panel control-panel params-panel" open={open} onToggle={onToggle}>
      <summary>
        <span className="panel-title">Parameters</span>
        <span className="params-now muted">{describeChanges(specs, params)}</span>
      </summary>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <fieldset disabled={disabled || busy}>
          {specs.map((spec) => (
            <ParamField key={spec.id} id={`${id}-${spec.id}`} spec={spec} value={form[spec.id]} error={errors[spec.id]} onChange={(v) => edit(spec.id, v)} />
          ))}
          <FormActions
            canApply={!!runId}
            dirty={dirty}
            note={note}
            onRevert={() => {
              setForm(formFromParams(specs, params));
              setDirty(false);
              setErrors({});
            }}
          />
        </fieldset>
      </form>
      {apiError !== undefined && <ErrorNotice error={apiError} title="The run refused the parameters" />}
    </details>
  );
});

/** Flags, URLs and environment variables in `text` as code, each unbroken (a line must not split `--redis`). */
const COMMAND = /(--[a-z][a-z-]*|redis:\/\/[^\s)]+|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b)/;
const WithCommands = ({ text }: { text: string }) => (
  <>{text.split(COMMAND).map((part, i) => (i % 2 === 1 ? <code key={i} className="nowrap">{part}</code> : part))}</>
);

const ParamField = ({ id, spec, value, error, onChange }: { id: string; spec: ParamSpec; value: string | boolean | undefined; error: string | undefined; onChange: (value: string | boolean) => void }) => {
  const help = spec.description;
  switch (spec.type) {
    case 'boolean':
      return (
        <div className="field param" title={help}>
          <label className="check">
            <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} /> {spec.label}
          </label>
          {help && <p className="muted small help">{help}</p>}
        </div>
      );
    case 'text':
      return (
        <div className="field param">
          <label htmlFor={id}>{spec.label}</label>
          {(spec.rows ?? 1) > 1 ? (
            <textarea
              id={id}
              className="param-text"
              rows={spec.rows}
              spellCheck={false}
              value={String(value ?? '')}
              onChange={(e) => onChange(e.target.value)}
              aria-invalid={!!error}
            />
          ) : (
            <input id={id} type="text" className="param-text" spellCheck={false} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} />
          )}
          {error && <span className="field-error">{error}</span>}
          {help && <p className="muted small help">{help}</p>}
        </div>
      );
    case 'enum':
      return (
        <div className="field param">
          <label htmlFor={id}>{spec.label}</label>
          <select id={id} value={String(value)} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error}>
            {spec.options.map((o) => (
              <option key={o.value} value={o.value} disabled={o.unavailable !== undefined}>
                {o.label}
                {o.unavailable !== undefined && ' (unavailable here)'}
              </option>
            ))}
          </select>
          {error && <span className="field-error">{error}</span>}
          {help && <p className="muted small help">{help}</p>}
          {spec.options
            .filter((o) => o.unavailable !== undefined)
            .map((o) => (
              <p key={o.value} className="muted small help unavailable-option">
                <strong>{o.label}</strong> <WithCommands text={o.unavailable!} />.
              </p>
            ))}
        </div>
      );
    default:
      return (
        <div className="field param">
          <label htmlFor={id}>{spec.label}</label>
          <div className="inline">
            <input
              id={id}
              type="number"
              className="medium"
              min={spec.min}
              max={spec.max}
              step={spec.step ?? (spec.type === 'integer' ? 1 : 'any')}
              value={String(value ?? '')}
              onChange={(e) => onChange(e.target.value)}
              aria-invalid={!!error}
            />
            <span className="muted small">
              {spec.unit} ({spec.min}–{spec.max})
            </span>
          </div>
          {error && <span className="field-error">{error}</span>}
          {help && <p className="muted small help">{help}</p>}
        </div>
      );
  }
};
