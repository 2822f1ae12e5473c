/**
 * Disposables and typed events: the small vocabulary every pattern uses to
 * expose what happens inside it (`onStateChange`, `onRetry`, …) without
 * knowing who listens.
 */

/** Something that holds a resource (a timer, a subscription) until disposed. */
export interface Disposable {
  dispose(): void;
}

/** Subscribe with a listener; dispose the result to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

export const toDisposable = (fn: () => void): Disposable => {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
};

/**
 * Where listener errors go. One broken listener must never starve the others
 * or break the code that fired the event, so `Emitter.fire` catches each
 * listener's error and reports it here.
 */
let listenerErrorHandler: (error: unknown) => void = (error) => {
  queueMicrotask(() => {
    throw error;
  });
};

export const setListenerErrorHandler = (handler: (error: unknown) => void): void => {
  listenerErrorHandler = handler;
};

/**
 * A typed event source. Keep the emitter private and expose `emitter.event`.
 *
 * Each subscription is its own: subscribing the same function twice calls it
 * twice, and disposing one of the two subscriptions leaves the other. Once the
 * emitter is disposed it refuses new listeners quietly: `event(listener)`
 * returns a disposable that does nothing and the listener is never called
 * (no throw, so a late subscriber during shutdown does not crash its owner).
 */
export class Emitter<T> {
  /** One entry per subscription (an object, so two subscriptions of one function stay apart). */
  private listeners: Array<{ listener: (value: T) => void }> = [];
  private disposed = false;

  /** Subscribe to this emitter. */
  readonly event: Event<T> = (listener) => {
    if (this.disposed) return toDisposable(() => {});
    const subscription = { listener };
    this.listeners.push(subscription);
    return toDisposable(() => {
      this.listeners = this.listeners.filter((s) => s !== subscription);
    });
  };

  /** True when someone listens: lets callers skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** True once `dispose()` was called: the emitter has no listeners and takes no more. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  fire(value: T): void {
    // Copy so a listener that unsubscribes while we iterate does not skip its neighbour.
    for (const { listener } of this.listeners.slice()) {
      try {
        listener(value);
      } catch (error) {
        listenerErrorHandler(error);
      }
    }
  }

  /** Drops every listener and refuses new ones. */
  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** Owns a lifetime: everything registered is disposed together, once. */
export class DisposableStore implements Disposable {
  private items = new Set<Disposable>();
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  delete(item: Disposable): void {
    this.items.delete(item);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get size(): number {
    return this.items.size;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of this.items) {
      try {
        item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    this.items.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}
