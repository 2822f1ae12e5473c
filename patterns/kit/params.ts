/**
 * Lab parameters, declared once. A lab's knobs are written a single time,
 * with their types, ranges and defaults; from that one declaration come both
 * the manifest entries (`LabManifest.params`, what the API serves and the web
 * app draws) and a typed reader for the lab, so the lab never repeats a
 * default or casts `ctx.params.x`:
 *
 *   export const paymentsParams = defineParams({
 *     policy: { type: 'enum', label: 'Trip policy', default: 'consecutive',
 *               options: [{ value: 'consecutive', label: '…' }, { value: 'failure-rate', label: '…' }] },
 *     resetTimeoutMs: { type: 'integer', label: 'Reset timeout', default: 5_000, min: 1_000, max: 60_000 },
 *   });
 *   // pattern.ts:  params: paymentsParams.specs
 *   // lab.ts:      const { policy, resetTimeoutMs } = paymentsParams.read(ctx.params);
 *   //              policy: 'consecutive' | 'failure-rate', resetTimeoutMs: number
 */
import type { ParamSpec, Params, WorkbenchFacility } from './lab.ts';

export interface ParamOption {
  readonly value: string;
  readonly label: string;
  /**
   * What the workbench must have been started with for this option to work
   * (`redis`: `--redis`). Where it is missing, the workbench offers the option
   * as unavailable, says why, and refuses it.
   */
  readonly needs?: WorkbenchFacility;
}

interface DeclarationBase {
  readonly label: string;
  readonly description?: string;
}

/** One knob, as a lab declares it: a ParamSpec without its id (the key is the id). */
export type ParamDeclaration = DeclarationBase &
  (
    | {
        readonly type: 'number' | 'integer';
        readonly default: number;
        readonly min: number;
        readonly max: number;
        readonly step?: number;
        readonly unit?: string;
      }
    | { readonly type: 'enum'; readonly default: string; readonly options: readonly ParamOption[] }
    | { readonly type: 'boolean'; readonly default: boolean }
    | { readonly type: 'text'; readonly default: string; readonly maxLength: number; readonly rows?: number }
  );

export type ParamDeclarations = Readonly<Record<string, ParamDeclaration>>;

/** The value type a declaration gives: an enum's option values, a boolean, a string of text or a number. */
export type ParamValueOf<D extends ParamDeclaration> = D extends { type: 'enum'; options: readonly (infer O)[] }
  ? O extends { value: infer V }
    ? V
    : string
  : D extends { type: 'boolean' }
    ? boolean
    : D extends { type: 'text' }
      ? string
      : number;

/** Every knob's value, typed from the declarations. */
export type ParamValues<D extends ParamDeclarations> = { readonly [K in keyof D]: ParamValueOf<D[K]> };

export interface ParamSet<D extends ParamDeclarations> {
  readonly declarations: D;
  /** The manifest entries, in declaration order: put them in `LabManifest.params`. */
  readonly specs: ParamSpec[];
  /** Every knob at its default. */
  readonly defaults: ParamValues<D>;
  /**
   * The typed values of `params` (the run's, or a params update). A knob that
   * is missing, or whose value does not fit its declaration, takes its value
   * from `base` (default: the declared defaults), e.g. the values in use when
   * applying an update in place.
   */
  read(params: Readonly<Params>, base?: ParamValues<D>): ParamValues<D>;
}

const fits = (declaration: ParamDeclaration, value: unknown): boolean => {
  switch (declaration.type) {
    case 'number':
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value);
    case 'enum':
      return typeof value === 'string' && declaration.options.some((o) => o.value === value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'text':
      return typeof value === 'string' && value.length <= declaration.maxLength;
  }
};

/** Turns one declaration into the manifest's plain-data entry (mutable copies, `id` first). */
const toSpec = (id: string, declaration: ParamDeclaration): ParamSpec => {
  if (declaration.type === 'enum') {
    return { id, ...declaration, options: declaration.options.map((o) => ({ ...o })) } as ParamSpec;
  }
  return { id, ...declaration } as ParamSpec;
};

/** Declares a lab's parameters once; see the top of this file. */
export function defineParams<const D extends ParamDeclarations>(declarations: D): ParamSet<D> {
  const entries = Object.entries(declarations) as Array<[keyof D & string, ParamDeclaration]>;
  for (const [id, declaration] of entries) {
    if (!fits(declaration, declaration.default)) {
      throw new RangeError(`param '${id}': its default ${JSON.stringify(declaration.default)} does not fit its declaration`);
    }
  }
  const defaults = Object.freeze(Object.fromEntries(entries.map(([id, d]) => [id, d.default]))) as ParamValues<D>;
  return {
    declarations,
    specs: entries.map(([id, declaration]) => toSpec(id, declaration)),
    defaults,
    read(params, base = defaults) {
      const values: Record<string, unknown> = {};
      for (const [id, declaration] of entries) {
        const value = params[id];
        values[id] = fits(declaration, value) ? value : base[id];
      }
      return values as ParamValues<D>;
    },
  };
}
