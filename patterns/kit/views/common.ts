/**
 * What every view spec shares. Views are plain data in a lab's manifest
 * (`LabManifest.views`): they name telemetry event types and the fields to
 * read, and the web workbench draws them with its generic views. A pattern
 * that follows these needs no web code of its own.
 */

/** Fields an event must have, with these values, to count: `{ direction: 'inbound' }`. */
export type FieldFilter = Record<string, string | number | boolean>;

/** How a state, column or outcome is coloured: the same palette everywhere. */
export type Tone = 'ok' | 'warn' | 'bad' | 'reject' | 'info' | 'neutral';

/** How a field's value is shown. */
export type FieldFormat = 'text' | 'count' | 'ms' | 'percent' | 'time' | 'boolean' | 'outcome' | 'level' | 'json';

/** A field of an event, shown under a label. Dotted paths reach inside objects (`fields.status`). */
export interface FieldDisplay {
  field: string;
  label: string;
  format?: FieldFormat;
}

/** What every view spec has. */
export interface ViewSpecBase {
  /** The panel's heading. */
  title: string;
  /** One sentence under the heading: what to look for. */
  description?: string;
}
