/**
 * How much console output a sandbox process may produce: a token bucket of
 * lines. A learner's `console.log` in a loop must not flood the server (every
 * line crosses to the host thread and ends in the workbench's log), so lines
 * beyond the rate are dropped and counted, and the count is reported once a
 * second: "12,000 lines of output dropped". Used in the sandbox (guards.ts),
 * before anything is formatted or posted, and again on the host (host.ts), as
 * a bound on what it accepts whatever the sandbox does.
 */

export interface OutputLimits {
  /** Lines per second, sustained. */
  linesPerSecond: number;
  /** Lines that may come at once after a quiet spell. */
  burst: number;
  /** Longer lines are cut to this many characters (a line of a million characters is one line). */
  maxLineChars: number;
}

/** The sandbox's limits: plenty to debug with, far too few to flood anything. */
export const SANDBOX_OUTPUT_LIMITS: OutputLimits = { linesPerSecond: 200, burst: 500, maxLineChars: 2_000 };

/**
 * The host's bound on what a sandbox's stdout/stderr delivers, above the sandbox's own limit
 * (which lab code cannot change but could go around, by writing to the stream's prototype).
 * Its lines may be longer: a cut line carries a note, and a stack trace is one write.
 */
export const HOST_OUTPUT_LIMITS: OutputLimits = { linesPerSecond: 400, burst: 1_000, maxLineChars: 4_000 };

export class LineBudget {
  private tokens: number;
  private last: number;
  private droppedLines = 0;

  constructor(
    private readonly limits: OutputLimits,
    /** Milliseconds, monotonic; taken before lab code runs (it may replace `performance`). */
    private readonly now: () => number,
  ) {
    this.tokens = limits.burst;
    this.last = now();
  }

  /** Whether one more line would be let through now (it takes nothing). */
  hasRoom(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  /** Counts `lines` dropped without looking at them (a console call refused before it was formatted). */
  drop(lines: number): void {
    this.droppedLines += lines;
  }

  /**
   * What of `text` may go out: whole lines while tokens last, each cut to the length limit;
   * the rest is counted as dropped. A write without a newline counts as one line.
   */
  admit(text: string): string {
    this.refill();
    if (text.length === 0) return text;
    let out = '';
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline + 1;
      if (this.tokens < 1) {
        this.droppedLines += countLines(text, start);
        break;
      }
      this.tokens -= 1;
      out += cut(text.slice(start, end), this.limits.maxLineChars);
      start = end;
    }
    return out;
  }

  /** The lines dropped since the last call, and resets the count. */
  takeDropped(): number {
    const dropped = this.droppedLines;
    this.droppedLines = 0;
    return dropped;
  }

  get dropped(): number {
    return this.droppedLines;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.last;
    if (elapsed <= 0) return;
    this.last = now;
    this.tokens = Math.min(this.limits.burst, this.tokens + (elapsed / 1000) * this.limits.linesPerSecond);
  }
}

/** Lines in `text` from `start`: every newline ends one, and a last line without one counts too. */
const countLines = (text: string, start: number): number => {
  let lines = 0;
  for (let i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  if (!text.endsWith('\n')) lines++;
  return lines;
};

const cut = (line: string, max: number): string => {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (body.length <= max) return line;
  return `${body.slice(0, max)}… (${(body.length - max).toLocaleString('en-US')} more characters cut)${line.endsWith('\n') ? '\n' : ''}`;
};

/** The summary line for `lines` dropped lines. */
export const droppedSummary = (lines: number, limits: OutputLimits): string =>
  `[sandbox] ${lines.toLocaleString('en-US')} ${lines === 1 ? 'line' : 'lines'} of output dropped: ` +
  `the lab printed more than ${limits.linesPerSecond} lines a second (the sandbox's limit)`;
