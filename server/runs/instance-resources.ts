/**
 * What one deployed lab instance started that outlives its own calls: timers
 * (the global `setTimeout`/`setInterval`/`setImmediate` and its clock's, with
 * the sleeps waiting on them) and calls going out through `fetch`. Lab code is
 * free to forget them (learners do: an interval never cleared, a fetch never
 * awaited), so when the engine disposes an instance — after a redeploy's
 * drain, a reset, a params restart, the run's end — it ends them all here:
 * old code never keeps running next to the new. (The engine also answers the
 * requests the instance still holds then, and the run's database rolls back a
 * transaction it left open: see `onDispose`.)
 *
 * Which instance started something is told by `instanceScope`, an
 * AsyncLocalStorage the engine enters around everything it calls on an
 * instance (`start`, `handle`, `dispose`, and the import of its module): Node
 * carries the store into every callback and continuation scheduled from there,
 * so a timer set inside a timer set inside `start` still belongs to that
 * instance. The global functions are routed through it by
 * `installResourceTracking()` (the live run's sandbox installs it before any
 * lab code loads); the clock is scoped by the engine itself, so timers on
 * virtual time end too. The instance's downstreams and servers (`ctx.service`,
 * `ctx.server`) are closed by the engine already, connections and all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { promisify } from 'node:util';
import type { Clock, Disposable } from '../../patterns/kit/index.ts';

/** The instance (or module load) whose code is running now, if any. */
export const instanceScope = new AsyncLocalStorage<InstanceResources>();

/** A Node timer handle (Timeout or Immediate); `_destroyed` is Node's own mark of one fired or cleared. */
interface TimerHandle {
  _destroyed?: boolean;
}

/** What ending an instance's resources found still going. */
export interface LeftRunning {
  timers: number;
  fetches: number;
}

/** Why calls and sleeps of a disposed instance end: they belong to code that is no longer deployed. */
export class InstanceDisposedError extends Error {
  override readonly name = 'InstanceDisposedError';
}

/** As the kit's clocks reject an aborted sleep. */
const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('The operation was aborted', 'AbortError');

/** Below this many tracked timers nothing is swept; above, fired and cleared ones are dropped. */
const SWEEP_FROM = 256;

export class InstanceResources {
  private readonly timers = new Map<TimerHandle, 'timeout' | 'interval' | 'immediate'>();
  private sweepAt = SWEEP_FROM;
  private readonly clockTimers = new Set<Disposable>();
  private readonly sleeps = new Set<(error: Error) => void>();
  private readonly calls = new AbortController();
  private inFlightFetches = 0;
  private isDisposed = false;
  /** Called at dispose; each removes itself when what it guards is over (no reaction per call is kept). */
  private readonly onDisposed = new Set<() => void>();

  /** @param name what the instance is, for the errors its ended calls reject with. */
  constructor(readonly name = 'the lab instance') {}

  get isOver(): boolean {
    return this.isDisposed;
  }

  /** Aborts when the instance is disposed: every `fetch` it makes carries it. */
  get signal(): AbortSignal {
    return this.calls.signal;
  }

  /** Timers of the global functions that have not fired (or, for intervals, been cleared) yet. */
  get pendingTimers(): number {
    this.sweep();
    return this.timers.size;
  }

  /** Takes a global timer this instance just set; one set after it was disposed is cleared at once. */
  adoptTimer(handle: TimerHandle, kind: 'timeout' | 'interval' | 'immediate'): void {
    if (this.isDisposed) {
      clearTimer(handle, kind);
      return;
    }
    this.timers.set(handle, kind);
    if (this.timers.size >= this.sweepAt) {
      this.sweep();
      // Amortised: a lab holding many live timers is not swept on every new one.
      this.sweepAt = Math.max(SWEEP_FROM, this.timers.size * 2);
    }
  }

  /**
   * Calls `callback` when the instance is disposed (at once if it is already); dispose the
   * result once what it guards is over.
   */
  onDispose(callback: () => void): Disposable {
    if (this.isDisposed) {
      callback();
      return { dispose: () => undefined };
    }
    this.onDisposed.add(callback);
    return { dispose: () => void this.onDisposed.delete(callback) };
  }

  /** Counts a fetch this instance made until it settles. */
  trackFetch<T>(call: Promise<T>): Promise<T> {
    this.inFlightFetches++;
    const done = () => void this.inFlightFetches--;
    call.then(done, done);
    return call;
  }

  /**
   * `base` as this instance sees it: its timers end when the instance is disposed, and a
   * `sleep` still pending then rejects (its caller's code is no longer deployed; a promise
   * left pending for ever would hold whatever awaits it, a request, say, for ever).
   */
  clock(base: Clock): Clock {
    const own = (timer: Disposable): Disposable => {
      if (this.isDisposed) {
        timer.dispose();
        return timer;
      }
      this.clockTimers.add(timer);
      return {
        dispose: () => {
          this.clockTimers.delete(timer);
          timer.dispose();
        },
      };
    };
    const scoped: Pick<Clock, 'setTimeout' | 'setInterval' | 'sleep'> = {
      setTimeout: (callback, ms) => {
        let timer: Disposable | undefined;
        const disposable = own(
          (timer = base.setTimeout(() => {
            // Fired: nothing left to end (and a long-lived instance does not collect fired timers).
            if (timer) this.clockTimers.delete(timer);
            callback();
          }, ms)),
        );
        return disposable;
      },
      setInterval: (callback, ms) => own(base.setInterval(callback, ms)),
      // Written on the scoped setTimeout, so that its timer is this instance's too.
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          if (this.isDisposed) {
            reject(new InstanceDisposedError(`${this.name} was disposed`));
            return;
          }
          if (signal?.aborted) {
            reject(abortReason(signal));
            return;
          }
          const settle = () => {
            this.sleeps.delete(end);
            signal?.removeEventListener('abort', onAbort);
          };
          const end = (error: Error) => {
            settle();
            timer.dispose();
            reject(error);
          };
          const onAbort = () => end(abortReason(signal!) as Error);
          const timer = scoped.setTimeout(() => {
            settle();
            resolve();
          }, ms);
          this.sleeps.add(end);
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
    };
    // Everything else is the base clock's own: a proxy, so the lab still sees the clock it was
    // given (`clock instanceof RealClock` holds, a VirtualClock's other methods work on it).
    const bound = new Map<PropertyKey, { of: unknown; fn: unknown }>();
    return new Proxy(base, {
      get(target, property) {
        if (Object.hasOwn(scoped, property)) return scoped[property as keyof typeof scoped];
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const cached = bound.get(property);
        if (cached?.of === value) return cached.fn;
        const fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, { of: value, fn });
        return fn;
      },
    });
  }

  /** Ends everything still going. Idempotent; what it found is returned (the first time only). */
  dispose(): LeftRunning {
    if (this.isDisposed) return { timers: 0, fetches: 0 };
    this.isDisposed = true;
    this.sweep();
    const left: LeftRunning = { timers: this.timers.size + this.clockTimers.size + this.sleeps.size, fetches: this.inFlightFetches };
    for (const [handle, kind] of this.timers) clearTimer(handle, kind);
    this.timers.clear();
    for (const timer of this.clockTimers) timer.dispose();
    this.clockTimers.clear();
    const error = new InstanceDisposedError(`${this.name} was disposed`);
    for (const end of [...this.sleeps]) end(error);
    // Aborting a fetch ends its connection (and a response body still being read).
    this.calls.abort(error);
    for (const callback of [...this.onDisposed]) callback();
    this.onDisposed.clear();
    return left;
  }

  private sweep(): void {
    for (const handle of this.timers.keys()) if (handle._destroyed === true) this.timers.delete(handle);
  }
}

/** The functions as Node made them, taken when tracking is installed. */
let original:
  | {
      setTimeout: typeof setTimeout;
      setInterval: typeof setInterval;
      setImmediate: typeof setImmediate;
      fetch: typeof fetch;
    }
  | undefined;

function clearTimer(handle: TimerHandle, kind: 'timeout' | 'interval' | 'immediate'): void {
  if (kind === 'immediate') clearImmediate(handle as ReturnType<typeof setImmediate>);
  else clearTimeout(handle as ReturnType<typeof setTimeout>);
}

/**
 * Routes the global timer functions and `fetch` through the instance that calls them, so
 * that disposing an instance ends what it started. Calls made outside any instance (the
 * engine's own) go straight to Node's functions. Dispose the result to put the originals
 * back (tests); the live sandbox keeps it for its life.
 */
export function installResourceTracking(): Disposable {
  if (original) throw new Error('resource tracking is installed already');
  const saved = (original = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    setImmediate: globalThis.setImmediate,
    fetch: globalThis.fetch,
  });

  // The callback runs in its instance's scope whatever timer implementation calls it (Node's
  // carries the scope by itself; a test's fake timers do not).
  const bound = (owner: InstanceResources, callback: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      return instanceScope.run(owner, () => callback.apply(this, args));
    };
  const wrap = <F extends typeof setTimeout | typeof setInterval | typeof setImmediate>(
    make: F,
    kind: 'timeout' | 'interval' | 'immediate',
  ): F => {
    const wrapped = function (this: unknown, callback: unknown, ...rest: unknown[]) {
      const owner = instanceScope.getStore();
      // Not a function: Node's own function throws its own error.
      if (!owner || typeof callback !== 'function') return (make as (...args: unknown[]) => unknown)(callback, ...rest);
      const handle = (make as (...args: unknown[]) => TimerHandle)(bound(owner, callback as (...args: unknown[]) => unknown), ...rest);
      owner.adoptTimer(handle, kind);
      return handle;
    };
    // util.promisify(setTimeout) and friends keep working (one-shot promises that end by themselves).
    const custom = (make as unknown as Record<symbol, unknown>)[promisify.custom];
    if (custom) Object.defineProperty(wrapped, promisify.custom, { value: custom });
    Object.defineProperty(wrapped, 'name', { value: make.name });
    return wrapped as unknown as F;
  };

  globalThis.setTimeout = wrap(saved.setTimeout, 'timeout');
  globalThis.setInterval = wrap(saved.setInterval, 'interval');
  globalThis.setImmediate = wrap(saved.setImmediate, 'immediate');
  if (saved.fetch) {
    globalThis.fetch = function fetch(input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) {
      const owner = instanceScope.getStore();
      if (!owner) return saved.fetch(input, init);
      // The caller's own signal still works; the instance's ends the call when it is disposed.
      const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      const signal = own ? AbortSignal.any([own, owner.signal]) : owner.signal;
      return owner.trackFetch(saved.fetch(input, { ...init, signal }));
    };
  }
  return {
    dispose: () => {
      if (original !== saved) return;
      globalThis.setTimeout = saved.setTimeout;
      globalThis.setInterval = saved.setInterval;
      globalThis.setImmediate = saved.setImmediate;
      if (saved.fetch) globalThis.fetch = saved.fetch;
      original = undefined;
    },
  };
}
