import { describe, expect, it } from 'vitest';
import type { LabInstance, Params, ServiceDefinition, TelemetryOf } from '../kit/index.ts';
import { eventsOf as ofType, makeTestLabContext, type Recorded } from '../kit/testing.ts';
import { HANDLER_TIMEOUT_MS, start } from './lab.ts';
import { signupParams } from './params.ts';
import { pattern } from './pattern.ts';

type Handled = TelemetryOf<'event.handled'>;

/** The email service failing: a 503 after 1 ms. The in-process points throw. */
const UNAVAILABLE = { status: 503, body: { error: 'unavailable' }, latencyMs: 1 } as const;

/**
 * The kit's virtual-time LabContext; the email service and the two
 * in-process fault points fail while their name is in `failing`.
 */
const makeLabContext = (params: Params) => {
  const harness = makeTestLabContext({ params, lab: pattern.labs[0] });
  const failing = {
    add: (point: string) => harness.setFault(point, point === 'email' ? UNAVAILABLE : 'exception'),
    delete: (point: string) => harness.setFault(point, undefined),
  };
  /** The idempotency key of every email request, in order. */
  const emailRequests = () => harness.calls.filter((c) => c.point === 'email').map((c) => ({ key: c.request.headers?.['idempotency-key'] }));
  /** Open-model load: `rate` sign-ups per second until virtual time reaches `untilMs`. */
  const drive = (lab: LabInstance, rate: number, untilMs: number) => harness.drive(lab, { rate, untilMs });
  return { ...harness, failing, emailRequests, drive };
};

const defaults: Params = { ...signupParams.defaults };

const handledBy = (events: Recorded[], handler: string) =>
  ofType(events, 'event.handled').filter((e) => e.handler === handler) as unknown as Handled[];

describe('signup lab', () => {
  it('publishes one user.created per sign-up and every handler handles it once when healthy', async () => {
    const { ctx, clock, events, drive } = makeLabContext(defaults);
    const lab = await start(ctx);
    const results = await drive(lab, 5, 2_000);
    await clock.advance(1_000);
    expect(results).toHaveLength(10);
    expect(results.every((r) => r.outcome === 'ok' && r.status === 201 && r.route === 'POST /signup')).toBe(true);
    const published = ofType(events, 'event.published');
    expect(published).toHaveLength(10);
    expect(published.every((e) => e.name === 'user.created')).toBe(true);
    for (const handler of ['send-welcome-email', 'create-profile', 'track-analytics']) {
      const handled = handledBy(events, handler);
      expect(handled.map((e) => e.eventId)).toEqual(published.map((e) => e.eventId));
      expect(handled.every((e) => e.ok && e.attempt === 1)).toBe(true);
    }
    expect(ofType(events, 'event.deadletter')).toEqual([]);
    await lab.dispose();
  });

  it('dead-letters analytics when it keeps failing, while email, profile and the sign-ups succeed', async () => {
    const { ctx, clock, events, failing, drive } = makeLabContext(defaults);
    const lab = await start(ctx);
    failing.add('track-analytics');
    const results = await drive(lab, 5, 2_000);
    await clock.advance(1_000); // let the last retries (after 100 + 200 ms) run out
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);

    const published = ofType(events, 'event.published').map((e) => e.eventId);
    const analytics = handledBy(events, 'track-analytics');
    expect(analytics).toHaveLength(published.length * 3);
    expect(analytics.every((e) => !e.ok && e.error === 'injected fault at track-analytics (exception)')).toBe(true);
    const deadLetters = ofType(events, 'event.deadletter');
    expect(deadLetters.map((e) => e.eventId)).toEqual(published);
    expect(deadLetters.every((e) => e.handler === 'track-analytics' && e.attempts === 3)).toBe(true);
    // Each dead letter comes 300 ms (100 + 200 of backoff) after its event.
    const publishedAt = new Map(ofType(events, 'event.published').map((e) => [e.eventId, e.t]));
    expect(deadLetters.every((e) => e.t === publishedAt.get(e.eventId)! + 300)).toBe(true);

    for (const handler of ['send-welcome-email', 'create-profile']) {
      expect(handledBy(events, handler).every((e) => e.ok)).toBe(true);
      expect(handledBy(events, handler)).toHaveLength(published.length);
    }
    expect(ofType(events, 'log').filter((e) => e.level === 'warn')).toHaveLength(published.length);
    await lab.dispose();
  });

  it('retries the email with the event id as idempotency key, and dead-letters after maxAttempts', async () => {
    const { ctx, clock, events, failing, emailRequests } = makeLabContext({ ...defaults, maxAttempts: 2 });
    const lab = await start(ctx);
    failing.add('email');
    await lab.handle({ id: 'req-1', clientKey: 'client-0' });
    await clock.advance(1_000);
    const [published] = ofType(events, 'event.published');
    expect(emailRequests()).toEqual([{ key: published!.eventId }, { key: published!.eventId }]);
    expect(handledBy(events, 'send-welcome-email').map((e) => [e.attempt, e.ok, e.error])).toEqual([
      [1, false, 'email answered 503'],
      [2, false, 'email answered 503'],
    ]);
    expect(ofType(events, 'event.deadletter')).toMatchObject([{ handler: 'send-welcome-email', attempts: 2 }]);
    await lab.dispose();
  });

  it('waits for the handlers before answering in "wait" delivery, and still answers ok', async () => {
    const { ctx, clock, failing } = makeLabContext({ ...defaults, delivery: 'wait' });
    const lab = await start(ctx);
    failing.add('email');
    let answeredAt = -1;
    void lab.handle({ id: 'req-1', clientKey: 'client-0' }).then((r) => {
      answeredAt = clock.now();
      expect(r.outcome).toBe('ok');
    });
    await clock.advance(1_000);
    // Three email attempts of 1 ms each, with 100 + 200 ms of backoff between them.
    expect(answeredAt).toBe(303);

    lab.updateParams!({ ...defaults, delivery: 'background' });
    let backgroundAt = -1;
    void lab.handle({ id: 'req-2', clientKey: 'client-0' }).then(() => (backgroundAt = clock.now()));
    await clock.advance(0);
    expect(backgroundAt).toBe(1_000);
    await lab.dispose();
  });

  it('replays dead letters on the redrive interval once the handler is healed', async () => {
    const { ctx, clock, events, failing, drive } = makeLabContext({ ...defaults, redriveEveryMs: 5_000 });
    const lab = await start(ctx);
    failing.add('track-analytics');
    await drive(lab, 5, 1_000);
    await clock.advance(1_000);
    expect(ofType(events, 'event.deadletter')).toHaveLength(5);
    failing.delete('track-analytics');
    await clock.advance(3_000); // the redrive at t=5 s
    const replayed = handledBy(events, 'track-analytics').filter((e) => e.ok);
    expect(replayed.map((e) => e.t)).toEqual([5_000, 5_000, 5_000, 5_000, 5_000]);
    expect(new Set(replayed.map((e) => e.eventId))).toEqual(new Set(ofType(events, 'event.deadletter').map((e) => e.eventId)));
    expect(ofType(events, 'log').map((e) => e.msg)).toContain('replay: 5 of 5 delivered');
    // The other handlers are not called again.
    expect(handledBy(events, 'create-profile')).toHaveLength(5);
    await lab.dispose();
  });

  it('applies a new maxAttempts in place, keeping its dead letters', async () => {
    const { ctx, clock, events, failing } = makeLabContext(defaults);
    const lab = await start(ctx);
    failing.add('create-profile');
    await lab.handle({ id: 'req-1', clientKey: 'client-0' });
    await clock.advance(1_000);
    lab.updateParams!({ ...defaults, maxAttempts: 1 });
    await lab.handle({ id: 'req-2', clientKey: 'client-0' });
    await clock.advance(1_000);
    expect(ofType(events, 'event.deadletter').map((e) => e.attempts)).toEqual([3, 1]);
    await lab.dispose();
    const lost = ofType(events, 'log').filter((e) => e.level === 'warn').at(-1);
    expect(lost?.msg).toBe('bus stopped: lost 0 deliveries in flight and 2 dead letters');
  });

  it('stops cleanly: in-flight deliveries abandoned, no timers left, no events after dispose', async () => {
    const { ctx, clock, events, failing, drive } = makeLabContext({ ...defaults, redriveEveryMs: 1_000 });
    const lab = await start(ctx);
    failing.add('email');
    await drive(lab, 5, 1_000);
    await lab.dispose();
    const count = events.length;
    await clock.runUntilIdle(60_000);
    expect(clock.pending).toBe(0);
    expect(events.length).toBe(count);
  });

  it('times a hung email call out after HANDLER_TIMEOUT_MS', async () => {
    const { ctx, clock, events } = makeLabContext({ ...defaults, maxAttempts: 1 });
    const hanging: ServiceDefinition = { handle: () => new Promise(() => {}) };
    const lab = await start({ ...ctx, service: (point) => ctx.service(point, hanging) });
    await lab.handle({ id: 'req-1', clientKey: 'client-0' });
    await clock.advance(HANDLER_TIMEOUT_MS);
    expect(handledBy(events, 'send-welcome-email')).toMatchObject([
      { ok: false, durationMs: HANDLER_TIMEOUT_MS, error: `The handler did not finish within ${HANDLER_TIMEOUT_MS} ms` },
    ]);
    await lab.dispose();
  });
});

describe('signup lab invariants (pattern.ts)', () => {
  it.each([
    ['background', 3, 0],
    ['wait', 3, 0],
    ['background', 1, 2_000],
    ['wait', 2, 1_500],
  ] as const)(
    'the reference breaks none with delivery %s, %i attempt(s) and redrive every %i ms while every handler fails now and then',
    async (delivery, maxAttempts, redriveEveryMs) => {
      const { ctx, clock, events, violations, setFault } = makeLabContext({ ...defaults, delivery, maxAttempts, redriveEveryMs });
      const lab = await start(ctx);
      let n = 0;
      // Each point fails in its own rhythm; the email service sometimes hangs past the handler timeout.
      setFault('email', () => (++n % 5 === 0 ? UNAVAILABLE : n % 11 === 0 ? 'hang' : undefined));
      setFault('create-profile', () => (n % 3 === 0 ? 'exception' : undefined));
      setFault('track-analytics', () => (n % 4 < 2 ? 'exception' : undefined));
      const pending = [];
      for (let i = 0; i < 40; i++) {
        pending.push(lab.handle({ id: `req-${i}`, clientKey: 'client-0' }));
        await clock.advance(100);
      }
      // Long enough for every retry, timeout and redrive to play out.
      await clock.advance(HANDLER_TIMEOUT_MS * 10);
      const results = await Promise.all(pending);
      expect(results.every((r) => r.outcome === 'ok')).toBe(true);
      expect(ofType(events, 'event.published')).toHaveLength(40);
      expect(ofType(events, 'event.deadletter').length).toBeGreaterThan(0);
      expect(violations).toEqual([]);
      lab.dispose();
    },
  );
});
