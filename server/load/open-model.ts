/**
 * The open model's driver: requests arrive on schedule whatever the system
 * does, the way independent users do. A slow answer does not delay the next
 * arrival, so a stall shows up as requests piling up, exactly as in production.
 *
 * One timer at a time: each wake sends every request that is due, then sleeps
 * until the next due time, but never less than `tickMs`. At 100/s that is a
 * wake per request at its exact time; at 20 000/s it is a wake per `tickMs`
 * sending a batch. Memory stays O(1) whatever the rate.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { OpenLoad } from '../../patterns/kit/load.ts';
import { ArrivalSchedule } from './arrivals.ts';
import type { DriverSession } from './session.ts';

export interface OpenDriverOptions {
  clock: Clock;
  /** Shortest gap between two wakes, ms. */
  tickMs: number;
  /** Arrivals beyond this many outstanding requests are dropped, not sent. */
  maxInFlight: number;
}

// Real timers can fire a hair before their due time; treat that as on time.
const EARLY_SLACK_MS = 1e-6;

/** Starts driving `session` with `profile`; dispose to stop scheduling (in-flight requests go on). */
export const driveOpen = (profile: OpenLoad, session: DriverSession, options: OpenDriverOptions): Disposable => {
  const { clock, tickMs, maxInFlight } = options;
  const schedule = new ArrivalSchedule(profile);
  let timer: Disposable | undefined;
  let stopped = false;

  const wake = (): void => {
    timer = undefined;
    const now = clock.now();
    let due = schedule.peek();
    while (due !== undefined && session.startedAt + due <= now + EARLY_SLACK_MS) {
      schedule.advance();
      // Each request carries its own intended time, so a late wake (a busy event
      // loop, a batch) is measured as latency rather than hidden.
      if (session.inFlight >= maxInFlight) session.drop();
      else void session.send(session.startedAt + due);
      // A target may stop the load from inside its call.
      if (stopped) return;
      due = schedule.peek();
    }
    if (due === undefined) {
      session.finishSending();
      return;
    }
    timer = clock.setTimeout(wake, Math.max(session.startedAt + due - now, tickMs));
  };

  // Even the first arrival goes through the clock, so nothing is sent (and no
  // event fires) before the caller that started the load has returned.
  const first = schedule.peek();
  timer = clock.setTimeout(wake, first === undefined ? 0 : first);

  return {
    dispose() {
      stopped = true;
      timer?.dispose();
      timer = undefined;
    },
  };
};
