/**
 * Errors the server reports, turned into what the editor shows: Monaco
 * markers on the learner's line and column, and one-line messages. Pure (no
 * Monaco import: the severity is Monaco's numeric value), unit-tested in node.
 */
import type { TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import type { CodeError, SaveResult } from '../../../../../server/protocol/api.ts';
import { isSameFile } from './paths.ts';

/** monaco.MarkerSeverity.Error. */
export const MARKER_ERROR = 8;

/** The shape of monaco.editor.IMarkerData this module fills in. */
export interface MarkerData {
  severity: number;
  message: string;
  source: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** What marker placement needs of a model (monaco.editor.ITextModel has it). */
export interface LineSource {
  getLineCount(): number;
  getLineContent(lineNumber: number): string;
}

/**
 * A marker for a server error at (line, column), both 1-based. It underlines
 * the identifier starting there (or one character), or the whole line when
 * the error has no column. Lines past the end (the code changed since) clamp
 * to the last line. No line: no marker, the message alone says it.
 */
export const errorToMarker = (error: CodeError, lines: LineSource, source: string): MarkerData | undefined => {
  if (error.line === undefined || error.line < 1) return undefined;
  const line = Math.min(error.line, lines.getLineCount());
  const text = lines.getLineContent(line);
  const base = { severity: MARKER_ERROR, message: error.message, source, startLineNumber: line, endLineNumber: line };
  if (error.column === undefined || error.column < 1) {
    const indent = text.length - text.trimStart().length;
    return { ...base, startColumn: indent + 1, endColumn: Math.max(text.length + 1, indent + 2) };
  }
  const column = Math.min(error.column, text.length + 1);
  const word = /^[\w$]+/.exec(text.slice(column - 1))?.[0].length ?? 1;
  return { ...base, startColumn: column, endColumn: column + word };
};

/** "message (patterns/circuit-breaker/breakers.ts:12:5)". */
export const describeCodeError = (error: CodeError): string => {
  if (!error.file) return error.message;
  const where = [error.file, error.line, error.column].filter((part) => part !== undefined).join(':');
  return `${error.message} (${where})`;
};

/** The CodeError inside an API error body (a 422 from a save, reset or restore). */
export const codeErrorOf = (body: Record<string, unknown> | undefined, fallback: string): CodeError => ({
  message: typeof body?.message === 'string' ? body.message : fallback,
  ...(typeof body?.file === 'string' && { file: body.file }),
  ...(typeof body?.line === 'number' && { line: body.line }),
  ...(typeof body?.column === 'number' && { column: body.column }),
});

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "Saved v7, deployed to 1 run in 120 ms". */
export const describeSave = (result: SaveResult, verb = 'Saved'): string => {
  const ms = `${Math.round(result.durationMs)} ms`;
  if (result.deployedTo.length === 0) return `${verb} v${result.version} in ${ms}; no run is going: the next run uses it`;
  return `${verb} v${result.version}, deployed to ${plural(result.deployedTo.length, 'run')} in ${ms}`;
};

type RunError = TelemetryOf<'run.error'>;

/**
 * The live run's runtime errors in this file that still apply: those since
 * the code last changed (the newest `run.started` or `run.deployed`, or
 * `since`, the newest event when the learner last saved), newest last,
 * without repeats of the same message at the same place.
 */
export const runtimeErrorsFor = (
  events: readonly TelemetryEvent[],
  patternId: string,
  file: string,
  since?: TelemetryEvent,
  limit = 10,
): RunError[] => {
  const found: RunError[] = [];
  const seen = new Set<string>();
  for (let i = events.length - 1; i >= 0 && found.length < limit; i--) {
    const event = events[i]!;
    if (event === since || event.type === 'run.deployed' || event.type === 'run.started') break;
    if (event.type !== 'run.error' || !isSameFile(event.file, patternId, file)) continue;
    const key = `${event.line}:${event.column}:${event.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(event);
  }
  return found.reverse();
};

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** When a version was saved: the time today ("14:02:09"), the date and time before ("3 Mar 14:02"). */
export const formatWhen = (at: number, now: number = Date.now()): string => {
  const date = new Date(at);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (date.toDateString() === new Date(now).toDateString()) return `${time}:${pad(date.getSeconds())}`;
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${time}`;
};
