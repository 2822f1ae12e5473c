/**
 * The loop guard, inside the sandbox: how a run process notices that the
 * learner's code is stuck in a loop, and where. The compiler puts a call to it
 * at the start of every loop body of the learner's files
 * (loop-guard-transform.ts), naming the loop's place in the `.ts` source. The
 * guard asks one question: has the event loop turned lately? A real
 * `setInterval`, taken before any learner code runs, stamps the time whenever
 * the event loop gets round to it; a loop that keeps it from turning for
 * longer than the limit is the stuck one, and it is the loop being run when
 * the guard looks. (The inspector did this before, from outside; under Node's
 * permission model a run process has no inspector, so the code tells on itself.)
 *
 * A loop that waits between its turns (`while (!done) await sleep(10)`) lets
 * the event loop turn, so it is never stopped, however long it runs. One that
 * only awaits settled promises (`while (x) await null`) does not: microtasks
 * run before the event loop moves on, and such a loop hangs the process as
 * surely as `while (true) {}`.
 *
 * What no loop statement does goes unseen here (endless recursion through
 * promises, a regular expression backtracking for minutes): the sandbox's own
 * time limit ends those.
 *
 * Cost: each call counts down one number; only every so many calls does it
 * read the clock (see CHECK_AFTER_MS). Measured (Node 20.20, a shared 2-core
 * machine, optimised code, typical of runs): `for (let i = 0; i < 1e8; i++)
 * s += i` takes about 100 ms bare and 420 ms guarded as the compiler guards it,
 * about 3 ns a turn, the worst case; 10^7 turns of a loop that writes an
 * object property under a computed key take 0.8 to 1 s with or without it
 * (the difference is lost in the noise). A loop that does anything costs many
 * times the guard per turn.
 */

/** The global the compiled code calls; the transform names it, installLoopGuard defines it. */
export const LOOP_GUARD_GLOBAL = '__workbenchLoopGuard';

/** A loop in the learner's source: `file` relative to the project root, line and column 1-based. */
export interface LoopLocation {
  file: string;
  line: number;
  column: number;
}

export interface LoopGuardOptions {
  /** How long the event loop may stay blocked inside a loop before it counts as stuck, in ms. */
  limitMs: number;
  /**
   * Told once, about the first loop found stuck and how long the event loop had been
   * blocked. It is expected to end the process; if it returns, the loop is stopped with an
   * error instead.
   */
  onStuck(location: LoopLocation, blockedMs: number): void;
}

/** The signature of the guard the compiled code calls. */
export type LoopGuard = (file: string, line: number, column: number) => void;

/** How often the event loop's turns are stamped. The limit is measured to within about this. */
const TURN_STAMP_MS = 25;

/**
 * How much loop time may pass between two looks at the clock, roughly. The number of calls
 * between looks adapts to it: a tight loop turns hundreds of thousands of times a millisecond and looks every
 * MAX_CALLS_BETWEEN_CHECKS calls; a loop whose every turn takes a millisecond looks every turn,
 * so a slow loop is not let run on long past the limit.
 */
const CHECK_AFTER_MS = 2;
const MAX_CALLS_BETWEEN_CHECKS = 4096;

/**
 * Defines the guard on `globalThis` (not writable, not configurable: learner code cannot
 * take it away or replace it) and starts stamping the event loop's turns. Call it once per
 * process, before any learner code runs: the clock and the timer it keeps are the real
 * ones, whatever learner code later does to `performance` or `setInterval`.
 */
export function installLoopGuard(options: LoopGuardOptions): void {
  Object.defineProperty(globalThis, LOOP_GUARD_GLOBAL, {
    value: createLoopGuard(options),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

/**
 * The guard itself, without defining it anywhere: installLoopGuard's work, and what tests
 * call directly (a global that cannot be redefined can be installed once per process).
 */
export function createLoopGuard({ limitMs, onStuck }: LoopGuardOptions): LoopGuard {
  const now = performance.now.bind(performance);
  const LoopStopped = Error;

  let lastTurn = now();
  // Unref'd: a process with nothing else to do ends, as it would without the guard.
  setInterval(() => {
    lastTurn = now();
  }, TURN_STAMP_MS).unref();

  // Calls left until the next look at the clock. A property, not a variable of the closure:
  // in a micro-benchmark V8 made the call cheaper so (about 1.5 ns a call against 2).
  const calls = { left: 1 };
  let callsBetweenChecks = 1;
  let lastCheck = lastTurn;
  let told = false;

  // The slow path on its own: what every call runs stays small enough for V8 to inline.
  const look = (file: string, line: number, column: number): void => {
    const at = now();
    // Calls until the next look: as many as about CHECK_AFTER_MS of loop time takes, judged
    // by the last ones. Fewer at once, more only by doubling: the time since the last look may
    // not have been spent in loops (the first turns of a new loop after a pause), and a few
    // quick turns say nothing of the next ones.
    const sinceCheck = at - lastCheck;
    lastCheck = at;
    const fit = sinceCheck > 0 ? Math.floor((callsBetweenChecks * CHECK_AFTER_MS) / sinceCheck) : Infinity;
    callsBetweenChecks = Math.max(1, Math.min(MAX_CALLS_BETWEEN_CHECKS, 2 * callsBetweenChecks, fit));
    calls.left = callsBetweenChecks;

    const blockedMs = at - lastTurn;
    if (blockedMs <= limitMs) return;
    if (!told) {
      told = true;
      onStuck({ file, line, column }, blockedMs);
    }
    // Still here: whoever was told let the process live. The loop ends with an error, and so
    // does any loop that goes on blocking after catching it (it is looked at every turn now).
    calls.left = 1;
    callsBetweenChecks = 1;
    throw new LoopStopped(
      `The loop at ${file}:${line}:${column} was stopped: it kept the event loop blocked for ` +
        `${Math.round(blockedMs)} ms (the limit is ${limitMs} ms).`,
    );
  };

  return function loopGuard(file, line, column) {
    if (--calls.left > 0) return;
    look(file, line, column);
  };
}
