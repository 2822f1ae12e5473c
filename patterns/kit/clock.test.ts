import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, RealClock, VirtualClock } from './clock.ts';

const DAY_MS = 86_400_000;
/** 30 days: past the 2^31 − 1 ms (about 24.8 days) Node's setTimeout takes. */
const LONG_MS = 30 * DAY_MS;

describe('RealClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('honours a delay above 2^31 − 1 ms instead of firing after 1 ms', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
    const asked: number[] = [];
    const native = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      asked.push(ms ?? 0);
      return native(callback, ms);
    }) as typeof setTimeout);
    const clock = new RealClock();
    const fired = vi.fn();
    clock.setTimeout(fired, LONG_MS);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(LONG_MS - MAX_TIMER_DELAY_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    // Node's timers never see a delay they would turn into 1 ms.
    expect(asked.length).toBeGreaterThan(1);
    expect(asked.every((ms) => ms <= MAX_TIMER_DELAY_MS)).toBe(true);
    spy.mockRestore();
  });

  it('cancels a long timer between its chunks, and runs a long interval', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
    const clock = new RealClock();
    const fired = vi.fn();
    const timer = clock.setTimeout(fired, LONG_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 10);
    timer.dispose();
    vi.advanceTimersByTime(LONG_MS);
    expect(fired).not.toHaveBeenCalled();

    const ticks = vi.fn();
    const interval = clock.setInterval(ticks, LONG_MS);
    vi.advanceTimersByTime(LONG_MS - 1);
    expect(ticks).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(ticks).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(LONG_MS);
    expect(ticks).toHaveBeenCalledTimes(2);
    interval.dispose();
    vi.advanceTimersByTime(2 * LONG_MS);
    expect(ticks).toHaveBeenCalledTimes(2);
  });

  it('fires a short timer once, and never once disposed', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const clock = new RealClock();
    const fired = vi.fn();
    clock.setTimeout(fired, 100);
    const cancelled = vi.fn();
    clock.setTimeout(cancelled, 100).dispose();
    vi.advanceTimersByTime(99);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('keeps monotonic time and wall time apart', () => {
    const clock = new RealClock();
    expect(Math.abs(clock.wallNow() - Date.now())).toBeLessThan(50);
    const before = clock.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
  });
});

describe('VirtualClock', () => {
  it('fires a delay above 2^31 − 1 ms exactly when it is due', async () => {
    const clock = new VirtualClock();
    const fired = vi.fn();
    clock.setTimeout(fired, LONG_MS);
    await clock.advance(1);
    await clock.advance(MAX_TIMER_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
    await clock.advance(LONG_MS - MAX_TIMER_DELAY_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(clock.now()).toBe(LONG_MS);
  });

  it('reads NaN and negative delays as 0, as Node does, instead of never firing', async () => {
    const clock = new VirtualClock();
    const fired = vi.fn();
    clock.setTimeout(fired, Number.NaN);
    clock.setTimeout(fired, -5);
    await clock.advance(0);
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it('has a wall-time origin that moves with it, apart from its monotonic time', async () => {
    const wallStart = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    const clock = new VirtualClock({ start: 500, wallStart });
    expect(clock.now()).toBe(500);
    expect(clock.wallNow()).toBe(wallStart);
    await clock.advance(30_000);
    expect(clock.now()).toBe(30_500);
    expect(clock.wallNow()).toBe(wallStart + 30_000);
    // A fixed default, so virtual runs and checks read the same date every day.
    expect(new VirtualClock().wallNow()).toBe(VirtualClock.DEFAULT_WALL_START);
  });
});
