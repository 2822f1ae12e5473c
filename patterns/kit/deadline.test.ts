import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from './clock.ts';
import { Deadline, untilAborted, withDeadline } from './deadline.ts';

/** An AbortSignal that counts its abort listeners, to see that none is left behind. */
const countingSignal = () => {
  const controller = new AbortController();
  let listeners = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  const remove = controller.signal.removeEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    listeners++;
    add(...args);
  }) as AbortSignal['addEventListener'];
  controller.signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    listeners--;
    remove(...args);
  }) as AbortSignal['removeEventListener'];
  return { controller, listeners: () => listeners };
};

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('withDeadline', () => {
  it('times out on the injected clock (never the global setTimeout) and aborts the work’s signal', async () => {
    const clock = new VirtualClock();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let seen: AbortSignal | undefined;
    const result = outcome(
      withDeadline(
        (signal) => {
          seen = signal;
          return new Promise(() => {}); // ignores its signal
        },
        { clock, timeoutMs: 500, timeoutError: (ms) => new Error(`over ${ms} ms`) },
      ),
    );
    expect(spy.mock.calls.filter(([, ms]) => ms === 500)).toEqual([]);
    spy.mockRestore();
    await clock.advance(499);
    expect(seen!.aborted).toBe(false);
    await clock.advance(1);
    expect(await result).toEqual({ error: new Error('over 500 ms') });
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toEqual(new Error('over 500 ms'));
    expect(clock.pending).toBe(0);
  });

  it('rejects with the deadline’s error even when the work rejects on its signal at once', async () => {
    const clock = new VirtualClock();
    const result = outcome(
      withDeadline((signal) => untilAborted(signal).catch(() => Promise.reject(new Error('the work’s own error'))), {
        clock,
        timeoutMs: 10,
        timeoutError: () => 'timed out',
      }),
    );
    await clock.advance(10);
    expect(await result).toEqual({ error: 'timed out' });
  });

  it('rejects with the caller’s abort (mapped by abortError when given) and removes its timer and listener', async () => {
    const clock = new VirtualClock();
    const caller = countingSignal();
    const result = outcome(
      withDeadline((signal) => clock.sleep(1_000, signal), { clock, timeoutMs: 5_000, signal: caller.controller.signal, abortError: (r) => `aborted: ${String(r)}` }),
    );
    expect(caller.listeners()).toBe(1);
    await clock.advance(100);
    caller.controller.abort('bye');
    expect(await result).toEqual({ error: 'aborted: bye' });
    expect(caller.listeners()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('cleans up its timer and listener when the work settles first, and passes its value or error on', async () => {
    const clock = new VirtualClock();
    const caller = countingSignal();
    const ok = outcome(withDeadline(async () => 'done', { clock, timeoutMs: 1_000, signal: caller.controller.signal }));
    expect(await ok).toEqual({ value: 'done' });
    const failed = outcome(
      withDeadline(
        () => {
          throw new Error('sync throw');
        },
        { clock, timeoutMs: 1_000, signal: caller.controller.signal },
      ),
    );
    expect(await failed).toEqual({ error: new Error('sync throw') });
    expect(caller.listeners()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('never calls the work when the caller already aborted, and needs no clock timer without a timeout', async () => {
    const clock = new VirtualClock();
    const work = vi.fn(async () => 'never');
    expect(await outcome(withDeadline(work, { clock, timeoutMs: 100, signal: AbortSignal.abort('early') }))).toEqual({ error: 'early' });
    expect(work).not.toHaveBeenCalled();
    const untimed = withDeadline(async () => 'ok', { clock, timeoutMs: Infinity });
    expect(clock.pending).toBe(0);
    expect(await untimed).toBe('ok');
  });
});

describe('Deadline', () => {
  it('spans several pieces of work: race, remaining, stop reason, abort', async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline({ clock, timeoutMs: 1_000, timeoutError: () => 'deadline' });
    expect(await deadline.race(Promise.resolve(1))).toBe(1);
    await clock.advance(400);
    expect(deadline.remaining()).toBe(600);
    expect(deadline.stopReason).toBeUndefined();
    const pending = outcome(deadline.run((signal) => untilAborted(signal)));
    await clock.advance(600);
    expect(await pending).toEqual({ error: 'deadline' });
    expect(deadline.stopReason).toBe('timeout');
    expect(await outcome(deadline.race(Promise.resolve(2)))).toEqual({ error: 'deadline' });

    const manual = new Deadline({ clock });
    const running = outcome(manual.run(() => new Promise(() => {})));
    manual.abort('stop');
    expect(await running).toEqual({ error: 'stop' });
    expect(manual.stopReason).toBe('aborted');
    expect(manual.reason).toBe('stop');
    expect(clock.pending).toBe(0);
  });
});
