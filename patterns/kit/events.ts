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

/** A typed event source. Keep the emitter private and expose `emitter.event`. */
export class Emitter<T> {
  private listeners: Array<(value: T) => void> = [];

  /** Subscribe to this emitter. */
  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };

  /** True when someone listens: lets callers skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(value: T): void {
    // Copy so a listener that unsubscribes while we iterate does not skip its neighbour.
    for (const listener of this.listeners.slice()) {
      try {
        listener(value);
      } catch (error) {
        listenerErrorHandler(error);
      }
    }
  }

  dispose(): void {
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
