/** The parameters panel's form: values as typed, checked against each ParamSpec as the server does. Pure. */
import type { ParamSpec, Params, ParamValue } from '../../../../../../patterns/kit/index.ts';
import type { FormErrors } from '../faults/faultForm.ts';

/** Number and text fields hold text while typed; enums and booleans their value. */
export type ParamsForm = Record<string, string | boolean>;

export const formFromParams = (specs: readonly ParamSpec[], params: Params): ParamsForm =>
  Object.fromEntries(
    specs.map((spec) => {
      const value = params[spec.id] ?? spec.default;
      return [spec.id, spec.type === 'boolean' ? Boolean(value) : String(value)];
    }),
  );

export type ParamsResult = { ok: true; changed: Params } | { ok: false; errors: FormErrors };

/** The values that differ from `current`, or the errors by parameter id. */
export const changedParams = (specs: readonly ParamSpec[], form: ParamsForm, current: Params): ParamsResult => {
  const errors: FormErrors = {};
  const changed: Params = {};
  for (const spec of specs) {
    const raw = form[spec.id];
    let value: ParamValue;
    switch (spec.type) {
      case 'number':
      case 'integer': {
        const text = String(raw ?? '').trim();
        const n = Number(text);
        if (text === '' || !Number.isFinite(n)) {
          errors[spec.id] = 'a number, please';
          continue;
        }
        if (spec.type === 'integer' && !Number.isInteger(n)) {
          errors[spec.id] = 'a whole number, please';
          continue;
        }
        if (n < spec.min || n > spec.max) {
          errors[spec.id] = `from ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`;
          continue;
        }
        value = n;
        break;
      }
      case 'enum': {
        const option = spec.options.find((o) => o.value === raw);
        if (!option) {
          errors[spec.id] = 'pick one of the options';
          continue;
        }
        if (option.unavailable !== undefined) {
          errors[spec.id] = `${option.label} ${option.unavailable}`;
          continue;
        }
        value = String(raw);
        break;
      }
      case 'boolean':
        value = Boolean(raw);
        break;
      case 'text': {
        const text = String(raw ?? '');
        if (text.length > spec.maxLength) {
          errors[spec.id] = `at most ${spec.maxLength} characters (${text.length} now)`;
          continue;
        }
        value = text;
        break;
      }
    }
    if (current[spec.id] !== value) changed[spec.id] = value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, changed };
};

/** What the folded panel says: how many there are, and which differ from the lab's defaults. */
export const describeChanges = (specs: readonly ParamSpec[], params: Params): string => {
  const changed = specs.filter((spec) => params[spec.id] !== undefined && params[spec.id] !== spec.default);
  const count = `${specs.length} ${specs.length === 1 ? 'knob' : 'knobs'}`;
  return changed.length === 0 ? `${count}, all at the lab's defaults` : `${count}; changed: ${changed.map((spec) => spec.label).join(', ')}`;
};
