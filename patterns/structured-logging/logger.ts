/**
 * A structured logger: every line is one JSON object on one line (JSON
 * lines), with a level, a message that stays the same, and the facts as
 * fields, so the logs can be filtered and counted ("every error of request
 * 4f1c…", "every line of user u-17") instead of grepped.
 *
 * Three sources of fields meet in each line, weakest first:
 *
 *   context    what the request being served set once at its edge (its id),
 *              read from a ContextStore, so it follows the request across
 *              every await without being passed to each function
 *   bindings   what this logger was bound to (`bind({ service: 'payments' })`),
 *              as structlog's `bind` and pino's child loggers do
 *   fields     what the call itself passed
 *
 * Before a line is written it goes through the level threshold, the sampler
 * (which may drop chatty lines under load) and the redaction (which takes out
 * what must never reach a log). It never reads `Date.now()`: the time comes
 * from the injected clock.
 */
import type { Clock } from '../kit/index.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The levels in order, with pino's numbers: a threshold lets its own level through, and those above it. */
export const LEVEL_VALUES: Readonly<Record<Level, number>> = { debug: 20, info: 30, warn: 40, error: 50 };

export const isLevel = (value: unknown): value is Level => typeof value === 'string' && Object.hasOwn(LEVEL_VALUES, value);

export type Fields = Readonly<Record<string, unknown>>;

/** Where lines go: one JSON object and a newline per call (a file, stdout, a log shipper). */
export interface LogSink {
  write(line: string): void;
}

/**
 * A value that belongs to the async call it was set in: `get()` returns the
 * value of the innermost `run` the current code was called from, however
 * many awaits, timers and promises lie between. The kit's `AsyncContext`
 * (`../kit/async-context.ts`) is one: Node's `AsyncLocalStorage`, with its
 * `run(value, fn)`, and `get()` for its `getStore()`. Python's `contextvars`
 * are the same idea. A module variable is not: it is shared by every request in
 * flight, and the last one to set it wins. The logger asks only for these two
 * methods, so the lab can hand it one module variable instead, to show what
 * that breaks.
 */
export interface ContextStore<T> {
  run<R>(value: T, fn: () => R): R;
  get(): T | undefined;
}

/** Decides, line by line, whether a line that passed the level threshold is written. */
export interface Sampler {
  keep(level: Level): boolean;
}

/** Takes what must never be logged out of a line (see redact.ts). It returns a new object: it never changes the caller's. */
export type Redaction = (line: Fields) => Fields;

export interface LoggerOptions {
  sink: LogSink;
  /** Stamps each line (`time`, ISO 8601 from the wall clock: a date a person reads). */
  clock: Clock;
  /** Lines below it are dropped before any work is done. Default `info`: debug is for when you need it. */
  level?: Level;
  /** Where the request being served keeps its fields (its id). Without it, lines have only their bindings and fields. */
  context?: ContextStore<Fields>;
  /** Applied to every line before it is written. Default: none. */
  redact?: Redaction;
  /** Asked about every line that passed the threshold. Default: every line is kept. */
  sampler?: Sampler;
  /** Fields on every line of this logger (`service`, `version`). */
  bindings?: Fields;
  /**
   * Told when a line could not be written at all (the sink, the redaction or
   * the sampler threw): the line is lost, the request goes on. Count these
   * somewhere a person looks. Default: the failure is dropped with the line.
   */
  onError?: (error: unknown) => void;
}

/**
 * The keys the logger writes itself: a field of the same name cannot
 * overwrite them, and is dropped (name it for what it is: `eventTime`,
 * `severity`, `detail`).
 */
const RESERVED = new Set(['time', 'level', 'msg']);

export class Logger {
  private readonly options: LoggerOptions;
  private readonly threshold: number;

  constructor(options: LoggerOptions) {
    const level = options.level ?? 'info';
    if (!isLevel(level)) throw new RangeError(`level must be one of ${Object.keys(LEVEL_VALUES).join(', ')}, got ${JSON.stringify(level)}`);
    this.options = options;
    this.threshold = LEVEL_VALUES[level];
  }

  /**
   * A logger whose every line also carries `fields`: structlog's
   * `log.bind(request_id=…)`, pino's `logger.child({ requestId })`. It
   * returns a new logger and leaves this one alone, so binding inside one
   * request never leaks into another.
   */
  bind(fields: Fields): Logger {
    return new Logger({ ...this.options, bindings: { ...this.options.bindings, ...fields } });
  }

  /** Whether a line at `level` would pass the threshold: check it before building costly fields. */
  isLevelEnabled(level: Level): boolean {
    return LEVEL_VALUES[level] >= this.threshold;
  }

  debug(msg: string, fields?: Fields): void {
    this.write('debug', msg, fields);
  }

  info(msg: string, fields?: Fields): void {
    this.write('info', msg, fields);
  }

  warn(msg: string, fields?: Fields): void {
    this.write('warn', msg, fields);
  }

  error(msg: string, fields?: Fields): void {
    this.write('error', msg, fields);
  }

  private write(level: Level, msg: string, fields: Fields = {}): void {
    // Cheapest test first: a dropped debug line should cost a comparison, not a JSON.stringify.
    if (!this.isLevelEnabled(level)) return;
    const { sink, clock, context, redact, sampler, bindings, onError } = this.options;
    // A logger must never throw into the code that logs: whatever fails here costs the line, not the request.
    try {
      if (sampler && !sampler.keep(level)) return;
      const line: Record<string, unknown> = { time: new Date(clock.wallNow()).toISOString(), level, msg };
      for (const source of [context?.get(), bindings, fields]) {
        if (source === undefined) continue;
        for (const [key, value] of Object.entries(source)) {
          if (!RESERVED.has(key) && value !== undefined) line[key] = value;
        }
      }
      sink.write(toJsonLine(line, redact));
    } catch (error) {
      onError?.(error);
    }
  }
}

/**
 * The one serializer every logger needs: an Error's `name` and `message` are
 * not enumerable, so `JSON.stringify(new Error('boom'))` is `{}` and the
 * reason for the error line would be lost (pino's `err` serializer does
 * this). Its own fields (a `code`) come along, and its `cause` is left to the
 * replacer, so an Error there is written the same way.
 */
const serializeError = (error: Error): Record<string, unknown> => {
  const { name: _name, message: _message, stack: _stack, cause: _cause, ...own } = { ...error } as Record<string, unknown>;
  return { type: error.name, message: error.message, ...own, ...(error.cause !== undefined && { cause: error.cause }) };
};

/** Called by JSON.stringify for every value at any depth: an Error nested in an object is written as well as one at the top. */
const replacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return serializeError(value);
  return value;
};

/**
 * One line of JSON, whatever the fields hold. The fields are first turned
 * into plain JSON data (errors, BigInts, Dates, anything with a `toJSON`), so
 * the redaction sees exactly what will be written, error messages included.
 * That costs a second encoding per written line; a logger that must be
 * faster would redact inside the replacer. JSON escapes a newline inside a
 * value, so a field can never forge a second line. A cycle costs the fields,
 * not the line: it is written with why they are missing.
 */
const toJsonLine = (line: Fields, redact: Redaction | undefined): string => {
  let data: Fields;
  try {
    data = JSON.parse(JSON.stringify(line, replacer)) as Fields;
  } catch (error) {
    const { time, level, msg } = line;
    data = { time, level, msg, logError: `fields not serializable: ${error instanceof Error ? error.message : String(error)}` };
  }
  return JSON.stringify(redact ? redact(data) : data) + '\n';
};
