import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './events.ts';

describe('Emitter', () => {
  it('disposing one subscription removes only that one, even for the same listener', () => {
    const emitter = new Emitter<number>();
    const listener = vi.fn();
    const first = emitter.event(listener);
    emitter.event(listener);
    emitter.fire(1);
    expect(listener).toHaveBeenCalledTimes(2);
    first.dispose();
    first.dispose(); // idempotent: still removes only its own subscription
    emitter.fire(2);
    expect(listener).toHaveBeenCalledTimes(3);
    expect(listener).toHaveBeenLastCalledWith(2);
    expect(emitter.hasListeners).toBe(true);
  });

  it('refuses new listeners once disposed: a no-op disposable, never called', () => {
    const emitter = new Emitter<number>();
    emitter.dispose();
    const late = vi.fn();
    const subscription = emitter.event(late);
    expect(emitter.hasListeners).toBe(false);
    expect(emitter.isDisposed).toBe(true);
    emitter.fire(1);
    expect(late).not.toHaveBeenCalled();
    expect(() => subscription.dispose()).not.toThrow();
  });

  it('keeps calling the other listeners when one unsubscribes during fire', () => {
    const emitter = new Emitter<string>();
    const seen: string[] = [];
    const a = emitter.event(() => {
      seen.push('a');
      a.dispose();
    });
    emitter.event(() => seen.push('b'));
    emitter.fire('x');
    emitter.fire('y');
    expect(seen).toEqual(['a', 'b', 'b']);
  });
});
