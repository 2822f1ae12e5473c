/**
 * The "signup" lab: every inbound request signs a user up and publishes
 * `user.created`. Three handlers react, each behind its own fault point:
 * `send-welcome-email` calls the downstream email service (http point
 * `email`); `create-profile` and `track-analytics` run in-process (points of
 * the same names). Break one and watch it retry and dead-letter while the
 * other two, and the sign-ups, carry on.
 *
 * Why a sign-up is `ok` as soon as its event is published: the sign-up is
 * done (the user exists); the welcome email, the profile and the analytics
 * are consequences that follow, each on its own. That is the point of
 * publishing an event. Their outcomes are in the events view, not in the
 * request log. (With delivery "wait", the sign-up waits for them, and you can
 * see that coupling in its latency, but it still does not fail for them.)
 *
 * This file wires things up and turns the bus's typed events into telemetry;
 * the pattern itself (event-bus.ts, events.ts, dead-letters.ts) stays free of
 * telemetry calls.
 */
import { DisposableStore, type Disposable, type LabContext, type LabInstance, type LabResult, type Params } from '../kit/index.ts';
import { EventBus } from './event-bus.ts';
import type { SignupEvents } from './events.ts';
import { signupParams } from './params.ts';
import { makeSignupHandlers } from './signup-handlers.ts';

const ROUTE = 'POST /signup';
/** A handler attempt taking longer fails: short, so a hung email service is seen within seconds. */
export const HANDLER_TIMEOUT_MS = 1_000;
/** The healthy email service accepts a message in 5–15 ms. */
const EMAIL_BASE_LATENCY_MS = 5;
const EMAIL_JITTER_MS = 10;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  let settings = signupParams.read(ctx.params);
  let { delivery, maxAttempts, redriveEveryMs } = settings;

  const email = ctx.service('email', {
    async handle() {
      await ctx.clock.sleep(EMAIL_BASE_LATENCY_MS + ctx.random.next() * EMAIL_JITTER_MS);
      return { status: 202, headers: {}, body: { queued: true } };
    },
  });
  const handlers = makeSignupHandlers({
    clock: ctx.clock,
    random: ctx.random,
    email,
    profileFault: ctx.fault('create-profile'),
    analyticsFault: ctx.fault('track-analytics'),
    log: ctx.log,
  });

  const bus = new EventBus<SignupEvents>({ clock: ctx.clock, maxAttempts, handlerTimeoutMs: HANDLER_TIMEOUT_MS });

  store.add(
    bus.onPublished(({ event }) => ctx.emit({ type: 'event.published', eventId: event.id, name: event.name })),
  );
  store.add(
    bus.onHandled((handled) => {
      const { eventId, handler, ok, durationMs, attempt } = handled;
      if (handled.ok) {
        ctx.emit({ type: 'event.handled', eventId, handler, ok, durationMs, attempt });
      } else {
        ctx.emit({ type: 'event.handled', eventId, handler, ok, durationMs, attempt, error: messageOf(handled.error) });
      }
    }),
  );
  store.add(
    bus.onDeadLettered((letter) => {
      const { event, handler, attempts, error } = letter;
      ctx.emit({ type: 'event.deadletter', eventId: event.id, name: event.name, handler, attempts, error });
      ctx.log.warn(`${handler} gave up on ${event.id} after ${plural(attempts, 'attempt')}: dead-lettered`, {
        deadLetterId: letter.id,
        error,
        deadLetters: bus.deadLetters.size,
      });
    }),
  );

  // The invariants (pattern.ts). Per event, the handlers it was handed to
  // that have not yet handled it or dead-lettered it; checked when its
  // publication settles, then forgotten.
  const pending = new Map<string, Set<string>>();
  store.add(bus.onPublished(({ event, handlers }) => pending.set(event.id, new Set(handlers))));
  store.add(
    bus.onHandled((handled) => {
      if (handled.ok) pending.get(handled.eventId)?.delete(handled.handler);
    }),
  );
  store.add(bus.onDeadLettered(({ event, handler }) => pending.get(event.id)?.delete(handler)));
  /** Watches one publication; resolves false when it failed (which it must never do). */
  const watch = (eventId: string, settled: Promise<unknown>): Promise<boolean> =>
    settled.then(
      () => {
        const left = pending.get(eventId);
        pending.delete(eventId);
        if (stopped) return true; // disposing the bus abandons deliveries: that is the stop, not a loss
        ctx.invariant(
          'every-event-handled-or-dead-lettered',
          !left || left.size === 0,
          () => `${eventId} settled with no outcome for ${[...left!].join(', ')}: neither handled nor dead-lettered`,
        );
        return true;
      },
      (error: unknown) => {
        pending.delete(eventId);
        if (stopped) return true;
        return ctx.invariant('publish-never-fails', false, () => `publishing ${eventId} failed: ${messageOf(error)}`);
      },
    );

  // Subscriptions are re-made when maxAttempts changes: unsubscribing stops
  // new deliveries only, so retries already under way finish as they began.
  let subscriptions: Disposable[] = [];
  const subscribeAll = () => {
    for (const subscription of subscriptions) subscription.dispose();
    subscriptions = handlers.map(({ name, handle }) => bus.subscribe('user.created', handle, { name, maxAttempts }));
  };
  subscribeAll();

  // Redrive: replay every dead letter now and then, as an operator (or an SQS
  // redrive policy) would once the cause is fixed.
  let redrive: Disposable | undefined;
  const scheduleRedrive = () => {
    redrive?.dispose();
    redrive = redriveEveryMs > 0 ? ctx.clock.setInterval(replayDeadLetters, redriveEveryMs) : undefined;
  };
  let stopped = false;
  const replayDeadLetters = () => {
    const count = bus.deadLetters.size;
    if (count === 0) return;
    ctx.log.info(`replaying ${plural(count, 'dead letter')}`, { deadLetters: count });
    bus.replayAll().then(
      (outcomes) => {
        if (stopped) return; // the bus was disposed under the replay: its outcomes say nothing
        const delivered = outcomes.filter((o) => o.status === 'delivered').length;
        if (outcomes.length > 0) ctx.log.info(`replay: ${delivered} of ${outcomes.length} delivered`, { delivered, replayed: outcomes.length });
      },
      (error: unknown) => {
        if (!stopped) ctx.log.error(`replay failed: ${messageOf(error)}`);
      },
    );
  };
  scheduleRedrive();
  store.add({ dispose: () => redrive?.dispose() });

  ctx.log.info(`signup lab ready (delivery: ${delivery}, ${plural(maxAttempts, 'attempt')} per handler)`, { bus: bus.toJSON() });

  let signups = 0;
  return {
    async handle(): Promise<LabResult> {
      const n = ++signups;
      let publication;
      try {
        publication = bus.publish('user.created', { userId: `user-${n}`, email: `user-${n}@example.test`, name: `User ${n}` });
      } catch (error) {
        if (!stopped) ctx.invariant('publish-never-fails', false, () => `publishing user.created for user-${n} threw: ${messageOf(error)}`);
        return { outcome: 'error', status: 500, error: messageOf(error), route: ROUTE };
      }
      const published = watch(publication.event.id, publication.settled);
      // The handlers' outcomes never change the answer: the user is signed up either way.
      if (delivery === 'wait' && !(await published)) {
        return { outcome: 'error', status: 500, error: `publishing ${publication.event.id} failed`, route: ROUTE };
      }
      return { outcome: 'ok', status: 201, route: ROUTE };
    },
    updateParams(params: Params) {
      // A knob the update leaves out keeps its current value.
      settings = signupParams.read(params, settings);
      delivery = settings.delivery;
      if (settings.maxAttempts !== maxAttempts) {
        maxAttempts = settings.maxAttempts;
        subscribeAll();
      }
      if (settings.redriveEveryMs !== redriveEveryMs) {
        redriveEveryMs = settings.redriveEveryMs;
        scheduleRedrive();
      }
    },
    dispose() {
      stopped = true;
      const { inFlight, deadLetters } = bus.toJSON();
      // An in-memory bus loses what it holds when it stops: say so, it is the lesson.
      if (inFlight > 0 || deadLetters > 0) {
        ctx.log.warn(`bus stopped: lost ${plural(inFlight, 'delivery', 'deliveries')} in flight and ${plural(deadLetters, 'dead letter')}`, {
          inFlight,
          deadLetters,
        });
      }
      store.dispose();
      bus.dispose();
    },
  };
}
