/**
 * One execution's cancellation: the plumbing behind `signal`, `deadlineMs`
 * and `dispose()` of a retry policy, on the kit's one timeout helper
 * (`Deadline` in patterns/kit/deadline.ts).
 *
 * The scope has one AbortSignal, handed to every attempt. It aborts when the
 * caller's signal aborts, when `abort` is called (the policy's dispose does),
 * or when the deadline passes, and then `race` rejects at once even if an attempt ignores its
 * signal, and a wait on the clock ends at once.
 */
import { Deadline, type Clock, type Disposable } from '../kit/index.ts';
import { DeadlineExceededError } from './errors.ts';

export type StopReason = 'aborted' | 'deadline';

export interface ExecutionScopeOptions {
  clock: Clock;
  /** From now; `Infinity` for none. */
  deadlineMs: number;
  /** The caller's signal: its abort stops the scope. */
  signal?: AbortSignal | undefined;
}

export class ExecutionScope implements Disposable {
  private readonly scope: Deadline;

  constructor(options: ExecutionScopeOptions) {
    const { clock, deadlineMs, signal } = options;
    this.scope = new Deadline({ clock, timeoutMs: deadlineMs, signal, timeoutError: (ms) => new DeadlineExceededError(ms, 0) });
  }

  /** Clock time after which no attempt may run. */
  get deadline(): number {
    return this.scope.expiresAt;
  }

  /** Aborts when the execution must end. Attempts and waits listen to it. */
  get signal(): AbortSignal {
    return this.scope.signal;
  }

  /** Why the scope stopped, or undefined while it runs. */
  get stopReason(): StopReason | undefined {
    const stop = this.scope.stopReason;
    return stop === 'timeout' ? 'deadline' : stop;
  }

  /** What the signal was aborted with: the caller's reason, or a DeadlineExceededError. */
  get abortReason(): unknown {
    return this.scope.reason;
  }

  /** Ms left before the deadline (Infinity without one). */
  remaining(): number {
    return this.scope.remaining();
  }

  /** Settles like `promise`, or rejects the moment the scope stops. */
  race<T>(promise: Promise<T>): Promise<T> {
    return this.scope.race(promise);
  }

  /** Stops the execution now, as the caller's abort does (the policy's dispose calls this). */
  abort(reason: unknown): void {
    this.scope.abort(reason ?? new DOMException('The operation was aborted', 'AbortError'));
  }

  /** Removes listeners and the deadline timer. Does not abort: the execution is over. */
  dispose(): void {
    this.scope.dispose();
  }
}
