/**
 * The closed model's driver: `concurrency` virtual clients, each sending a
 * request, waiting for its answer, thinking for `thinkTimeMs`, and going
 * again. At most `concurrency` requests are ever outstanding, and a slow
 * system is sent fewer requests (which is why closed-model latencies flatter
 * a slow system: see coordinated omission in the generator).
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { ClosedLoad } from '../../patterns/kit/load.ts';
import type { DriverSession } from './session.ts';

/**
 * A client whose answers come back at once (an in-process lab on the real
 * clock) would loop on promise callbacks alone and starve timers, sockets and
 * the live view. After this many answers in a row that took under 1 ms of
 * clock time, it yields one turn of the event loop. Answers that take clock
 * time (any real I/O, or virtual latency) never trigger it.
 */
const INSTANT_ANSWERS_BEFORE_YIELD = 64;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts `profile.concurrency` clients on `session`; dispose to stop them (in-flight requests go on). */
export const driveClosed = (profile: ClosedLoad, session: DriverSession, clock: Clock): Disposable => {
  const stop = new AbortController();
  const endAt = session.startedAt + (profile.durationMs ?? Infinity);
  const amount = profile.amount ?? Infinity;
  const thinkTimeMs = profile.thinkTimeMs ?? 0;
  let running = profile.concurrency;

  const maySend = (now: number): boolean => !stop.signal.aborted && now < endAt && session.sent < amount;

  const client = async (): Promise<void> => {
    let instantAnswers = 0;
    // The clock is read as little as possible and each reading reused (the
    // answer's time comes from the session, which read it for the latency):
    // on some machines a read costs a few hundred ns, a visible share of a
    // loopback request at top throughput.
    let now = clock.now();
    while (maySend(now)) {
      const sentAt = now;
      now = await session.send(sentAt);
      // Checked before thinking so a finished load leaves no sleep timer behind.
      if (!maySend(now)) break;
      if (thinkTimeMs > 0) {
        try {
          await clock.sleep(thinkTimeMs, stop.signal);
        } catch {
          break; // stopped while thinking
        }
        now = clock.now();
      } else if (now - sentAt >= 1) {
        instantAnswers = 0;
      } else if (++instantAnswers >= INSTANT_ANSWERS_BEFORE_YIELD) {
        instantAnswers = 0;
        await yieldToEventLoop();
        now = clock.now();
      }
    }
  };

  const clientDone = (): void => {
    running -= 1;
    if (running === 0) session.finishSending();
  };

  // Clients start on the clock, not inside the call that started the load.
  const start = clock.setTimeout(() => {
    for (let i = 0; i < profile.concurrency; i++) void client().then(clientDone, clientDone);
  }, 0);

  return {
    dispose() {
      start.dispose();
      stop.abort();
    },
  };
};
