/**
 * The three handlers of `user.created` in the signup lab. Each one is written
 * the way a handler on an at-least-once bus should be: it passes its signal
 * to its I/O, checks the signal before its side effect, and is idempotent, so
 * a retry or a replay of the same event does no harm.
 */
import type { Clock, HttpClient, InProcessFault, LabLogger, Random } from '../kit/index.ts';
import type { Handler } from './event-bus.ts';
import type { EventOf, SignupEvents } from './events.ts';

export type UserCreatedEvent = EventOf<SignupEvents, 'user.created'>;

export interface SignupHandler {
  name: string;
  handle: Handler<UserCreatedEvent>;
}

export interface SignupHandlerDeps {
  clock: Clock;
  random: Random;
  /** The email service (behind the `email` fault point). */
  email: HttpClient;
  profileFault: InProcessFault;
  analyticsFault: InProcessFault;
  log: LabLogger;
}

/** The email service answered, but not with a 2xx. `fetch`-like clients resolve on any status, so we throw. */
export class EmailStatusError extends Error {
  override readonly name = 'EmailStatusError';

  constructor(readonly status: number) {
    super(`email answered ${status}`);
  }
}

/** How many users and event ids the handlers remember: enough for retries and replays, bounded for long runs. */
const REMEMBER = 10_000;

/** Adds `key` to an insertion-ordered map, forgetting the oldest entry past `REMEMBER`. */
const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
  map.set(key, value);
  if (map.size > REMEMBER) map.delete(map.keys().next().value!);
};

export function makeSignupHandlers(deps: SignupHandlerDeps): SignupHandler[] {
  const { clock, random, email, profileFault, analyticsFault, log } = deps;
  const profiles = new Map<string, { userId: string; displayName: string; createdAt: number }>();
  const countedEvents = new Map<string, true>();
  let signupsCounted = 0;

  return [
    {
      name: 'send-welcome-email',
      async handle(event, { signal }) {
        const response = await email.request({
          method: 'POST',
          path: '/messages',
          // The email service drops a second message with the same key: a retry
          // after a lost answer does not send the user two welcome emails.
          headers: { 'content-type': 'application/json', 'idempotency-key': event.id },
          body: { to: event.payload.email, template: 'welcome', name: event.payload.name },
          signal,
        });
        if (response.status < 200 || response.status >= 300) throw new EmailStatusError(response.status);
      },
    },
    {
      name: 'create-profile',
      async handle(event, { signal }) {
        await profileFault.hit();
        await clock.sleep(1 + random.next() * 2, signal); // the profile write
        // The attempt may have timed out while we waited: then a retry will
        // write the profile, and this one must not.
        signal.throwIfAborted();
        const { userId, name } = event.payload;
        // Keyed by user: writing it twice leaves one profile (idempotent by nature).
        remember(profiles, userId, { userId, displayName: name, createdAt: event.occurredAt });
      },
    },
    {
      name: 'track-analytics',
      async handle(event, { signal }) {
        await analyticsFault.hit();
        signal.throwIfAborted();
        // A counter is not idempotent: counting a redelivered event twice would
        // inflate the numbers. Dedupe on the event's id.
        if (countedEvents.has(event.id)) {
          log.debug(`analytics: ${event.id} already counted, skipped`, { eventId: event.id });
          return;
        }
        remember(countedEvents, event.id, true);
        signupsCounted++;
        if (signupsCounted % 100 === 0) log.info(`analytics: ${signupsCounted} sign-ups counted`, { signupsCounted });
      },
    },
  ];
}
