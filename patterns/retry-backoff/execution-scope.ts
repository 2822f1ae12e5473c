/**
 * One execution's cancellation: the plumbing behind `signal`, `deadlineMs`
 * and `dispose()` of a retry policy.
 *
 * The scope has one AbortSignal, handed to every attempt. It aborts when the
 * caller's signal aborts, when `abort` is called (the policy's dispose does),
 * or when the deadline passes, and then `race` rejects at once even if an attempt ignores its
 * signal, and a wait on the clock ends at once.
 */
import type { Clock, Disposable } from '../kit/index.ts';
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
  /** Clock time after which no attempt may run. */
  readonly deadline: number;
  private readonly controller = new AbortController();
  private readonly cleanUps: Array<() => void> = [];
  private reason: StopReason | undefined;

  constructor(private readonly options: ExecutionScopeOptions) {
    const { clock, deadlineMs, signal } = options;
    this.deadline = clock.now() + deadlineMs;
    if (signal?.aborted) {
      this.abort(signal.reason);
    } else if (signal) {
      const onAbort = () => this.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.cleanUps.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (!this.reason && deadlineMs !== Infinity) {
      const timer = clock.setTimeout(() => this.stop('deadline', new DeadlineExceededError(deadlineMs, 0)), deadlineMs);
      this.cleanUps.push(() => timer.dispose());
    }
  }

  /** Aborts when the execution must end. Attempts and waits listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the scope stopped, or undefined while it runs. */
  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** What the signal was aborted with: the caller's reason, or a DeadlineExceededError. */
  get abortReason(): unknown {
    return this.controller.signal.reason;
  }

  /** Ms left before the deadline (Infinity without one). */
  remaining(): number {
    return this.deadline - this.options.clock.now();
  }

  /** Settles like `promise`, or rejects the moment the scope stops. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    let onAbort!: () => void;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([promise, stopped]).finally(() => signal.removeEventListener('abort', onAbort));
  }

  /** Stops the execution now, as the caller's abort does (the policy's dispose calls this). */
  abort(reason: unknown): void {
    this.stop('aborted', reason);
  }

  /** Removes listeners and the deadline timer. Does not abort: the execution is over. */
  dispose(): void {
    for (const cleanUp of this.cleanUps.splice(0)) cleanUp();
  }

  private stop(reason: StopReason, abortReason: unknown): void {
    if (this.reason) return;
    this.reason = reason;
    this.dispose();
    this.controller.abort(abortReason ?? new DOMException('The operation was aborted', 'AbortError'));
  }
}
