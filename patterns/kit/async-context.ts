/**
 * A value carried across async calls: set for the length of a function call,
 * and read anywhere below it (after awaits, in timers and promise callbacks it
 * starts), without passing it through every function. It is Node's
 * AsyncLocalStorage: pattern code may import no Node module itself, so the
 * kit passes this on (import it from `../kit/async-context.ts`).
 *
 * Why not a module variable: two requests served at once interleave at every
 * await, so a variable set by one is read by the other. Each `run` here has
 * its own value, whatever runs beside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class AsyncContext<T> {
  private readonly storage = new AsyncLocalStorage<T>();

  /** Calls `fn` with `value` as the context of everything it runs, awaits included. */
  run<R>(value: T, fn: () => R): R {
    return this.storage.run(value, fn);
  }

  /** The value of the innermost `run` this code was called within; undefined outside any. */
  get(): T | undefined {
    return this.storage.getStore();
  }
}
