/**
 * The live stream: the WebSocket `/api/live?run=ID` sends batches
 * `{ runId, events, dropped, droppedByType }` a few times a second; and the
 * hub's drop policy for a client that cannot keep up (a unit test of
 * server/live/hub.ts with a fake socket): what it sheds is what the run's
 * pattern and the kit declare droppable.
 */
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, Disposable, TelemetryBatch, TelemetryDelivery, TelemetryEvent } from '../../patterns/kit/index.ts';
import { CORE_TELEMETRY } from '../../patterns/kit/index.ts';
import { telemetry as circuitTelemetry } from '../../patterns/circuit-breaker/telemetry.ts';
import { LiveHub, type RunDelivery, type TelemetrySource } from '../../server/live/hub.ts';
import { is, SLOW, startTestWorkbench, waitUntil, type TestWorkbench } from './helpers.ts';

describe('WebSocket /api/live', { timeout: SLOW }, () => {
  let tw: TestWorkbench;
  let runId: string;

  beforeAll(async () => {
    tw = await startTestWorkbench();
    runId = await tw.startRun();
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  const collect = (socket: WebSocket) => {
    const batches: TelemetryBatch[] = [];
    socket.on('message', (data) => batches.push(JSON.parse(String(data)) as TelemetryBatch));
    return batches;
  };

  it('delivers batches { runId, events, dropped, droppedByType } with request and metrics events', async () => {
    const socket = tw.openLive(runId);
    const batches = collect(socket);
    const events = () => batches.flatMap((b) => b.events);
    // metrics summarize each second of traffic: the first one comes about a second in.
    await waitUntil(() => events().some((e) => e.type === 'metrics') && events().some((e) => e.type === 'request'), {
      timeoutMs: 15_000,
      what: 'request and metrics events on the socket',
    });
    for (const batch of batches) {
      expect(Object.keys(batch).sort()).toEqual(['dropped', 'droppedByType', 'events', 'runId']);
      expect(batch.runId).toBe(runId);
      expect(batch.dropped).toBe(0);
      expect(batch.droppedByType).toEqual({});
      expect(batch.events.length).toBeGreaterThan(0);
      for (const event of batch.events) expect(event.runId).toBe(runId);
    }
    const request = events().find((e) => e.type === 'request' && e.direction === 'inbound');
    expect(request).toMatchObject({ target: 'POST /checkout', outcome: 'ok', status: 200 });
    const metrics = events().find(is('metrics'));
    expect(metrics).toMatchObject({ windowMs: 1000 });
    expect(metrics!.rate).toBeGreaterThan(0);
    // Several events per batch: the stream batches, it does not send one frame per event.
    expect(events().length).toBeGreaterThan(batches.length);
    socket.close();
  });

  it('streams control changes too: a fault set over HTTP shows up on the socket', async () => {
    const socket = tw.openLive(runId);
    const batches = collect(socket);
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    const res = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1 });
    expect(res.status).toBe(200);
    await waitUntil(
      () =>
        batches.some((b) => b.events.some((e) => e.type === 'fault.changed' && e.spec.errorRate === 1)) &&
        batches.some((b) => b.events.some((e) => e.type === 'fault.injected')),
      { what: 'fault.changed and fault.injected on the socket' },
    );
    await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false });
    socket.close();
  });

  it('two clients of one run both get the stream, up to run.stopped', async () => {
    const id = await tw.startRun();
    const a = tw.openLive(id);
    const b = tw.openLive(id);
    const batchesA = collect(a);
    const batchesB = collect(b);
    await waitUntil(() => batchesA.length > 0 && batchesB.length > 0, { what: 'batches on both sockets' });
    await tw.stopRun(id);
    await waitUntil(() => [...batchesA, ...batchesB].filter((x) => x.events.some((e) => e.type === 'run.stopped')).length === 2, {
      what: 'run.stopped on both sockets',
    });
    // Then the server closes both: a tab left on a finished run holds no live slot.
    const closes = [a, b].map((socket) => new Promise<number>((resolve) => (socket.readyState === socket.CLOSED ? resolve(1000) : socket.once('close', resolve))));
    expect(await Promise.all(closes)).toEqual([1000, 1000]);
  });
});

/** A socket that never drains: `bufferedAmount` stays high until the test says otherwise. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 50 * 1024 * 1024;
  readonly sent: TelemetryBatch[] = [];
  private readonly handlers = new Map<string, Array<() => void>>();

  send(data: string): void {
    this.sent.push(JSON.parse(data) as TelemetryBatch);
  }

  on(name: string, handler: () => void): this {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
    return this;
  }

  emit(name: string): void {
    for (const handler of this.handlers.get(name) ?? []) handler();
  }
}

/** A run's telemetry, pushed by the test. */
class FakeSource implements TelemetrySource {
  listener: ((events: readonly TelemetryEvent[]) => void) | undefined;
  subscribe(runId: string, listener: (events: readonly TelemetryEvent[]) => void): Disposable | undefined {
    if (runId !== 'run-1') return undefined;
    this.listener = listener;
    return { dispose: () => (this.listener = undefined) };
  }
}

/** Delivery as the registry answers it for a run of `declared`'s pattern: the kit's for core types, the pattern's own, else droppable. */
const deliveryOf =
  (declared: TelemetryDelivery): ((type: string) => Delivery) =>
  (type) =>
    (CORE_TELEMETRY as TelemetryDelivery)[type] ?? declared[type] ?? 'droppable';

/** Every run is a circuit-breaker run. */
const circuitRuns: RunDelivery = () => deliveryOf(circuitTelemetry);

let t = 0;
const request = (): TelemetryEvent => ({
  type: 'request',
  seq: t,
  t: t++,
  runId: 'run-1',
  id: `req-${t}`,
  direction: 'inbound',
  target: 'POST /checkout',
  outcome: 'ok',
  durationMs: 1,
});
const stateChange = (to: string): TelemetryEvent => ({ type: 'circuit.state', seq: t, t: t++, runId: 'run-1', name: 'payments', from: 'x', to });

describe('LiveHub drop policy (unit)', () => {
  const MAX = 100;

  it('keeps memory bounded for a client that cannot keep up, counts what it dropped and keeps state events', () => {
    const source = new FakeSource();
    // A long flush interval: the test flushes by hand.
    const hub = new LiveHub(source, circuitRuns, { flushEveryMs: 60_000, maxQueuedEvents: MAX, maxBufferedBytes: 1024 });
    const socket = new FakeSocket();
    expect(hub.attach(socket as unknown as WebSocket, 'run-1')).toBe(true);

    // 50 000 requests with a state change every 5 000, in batches as a run sends them.
    let pushed = 0;
    const states: TelemetryEvent[] = [];
    for (let batch = 0; batch < 500; batch++) {
      const events = Array.from({ length: 100 }, request);
      if (batch % 50 === 0) {
        const change = stateChange(`s${batch}`);
        states.push(change);
        events.splice(50, 0, change);
      }
      source.listener!(events);
      pushed += events.length;
      hub.flushAll();
    }
    // The socket never drained: nothing was sent meanwhile.
    expect(socket.sent).toHaveLength(0);

    socket.bufferedAmount = 0;
    hub.flushAll();
    expect(socket.sent).toHaveLength(1);
    const [batch] = socket.sent;
    // Memory stayed bounded: at most MAX events were held for this client.
    expect(batch!.events.length).toBeLessThanOrEqual(MAX);
    expect(batch!.runId).toBe('run-1');
    // Everything not delivered is counted, and by type: only requests were droppable here.
    expect(batch!.events.length + batch!.dropped).toBe(pushed);
    expect(batch!.droppedByType).toEqual({ request: batch!.dropped });
    // Every state change survived, in order; the requests kept are the newest.
    expect(batch!.events.filter((e) => e.type === 'circuit.state')).toEqual(states);
    const keptRequests = batch!.events.filter((e) => e.type === 'request');
    expect(keptRequests.length).toBeGreaterThan(0);
    expect(keptRequests.at(-1)!.t).toBe(t - 1);

    // The count starts again: the next batch reports only what was dropped since.
    source.listener!([request(), request()]);
    hub.flushAll();
    expect(socket.sent[1]).toMatchObject({ dropped: 0, droppedByType: {} });
    expect(socket.sent[1]!.events).toHaveLength(2);
    hub.close();
  });

  it("sheds what the run's pattern declares droppable and keeps what it declares always, and counts drops by type", () => {
    const source = new FakeSource();
    const asked: string[] = [];
    // A retry run: its attempts are droppable, its give-ups always (patterns/retry-backoff/telemetry.ts).
    const retryRuns: RunDelivery = (runId) => {
      asked.push(runId);
      return deliveryOf({ 'retry.attempt': 'droppable', 'retry.giveup': 'always' });
    };
    const hub = new LiveHub(source, retryRuns, { flushEveryMs: 60_000, maxQueuedEvents: MAX, maxBufferedBytes: 1024 });
    const socket = new FakeSocket();
    expect(hub.attach(socket as unknown as WebSocket, 'run-1')).toBe(true);
    // The hub asks once, for the run it streams, not once per event.
    expect(asked).toEqual(['run-1']);

    const base = { runId: 'run-1', requestId: 'req-1', error: 'inventory answered 503' };
    const events: TelemetryEvent[] = [];
    const giveUps: TelemetryEvent[] = [];
    for (let i = 0; i < 300; i++) {
      events.push({ ...base, type: 'retry.attempt', seq: t, t: t++, attempt: 1, delayMs: 100 });
      if (i % 3 === 0) events.push({ ...base, type: 'log', seq: t, t: t++, level: 'info', msg: 'retrying', fields: {} });
      if (i % 30 === 0) {
        const giveUp: TelemetryEvent = { ...base, type: 'retry.giveup', seq: t, t: t++, attempts: 3 };
        giveUps.push(giveUp);
        events.push(giveUp);
      }
      // A type the pattern does not declare: droppable, and still counted under its name.
      if (i % 10 === 0) events.push({ ...base, type: 'retry.mystery', seq: t, t: t++ } as unknown as TelemetryEvent);
    }
    source.listener!(events);
    socket.bufferedAmount = 0;
    hub.flushAll();
    hub.close();

    const [batch] = socket.sent;
    expect(batch!.events.length).toBeLessThanOrEqual(MAX);
    expect(batch!.events.filter((e) => e.type === 'retry.giveup')).toEqual(giveUps);
    const byType = batch!.droppedByType;
    expect(Object.keys(byType).sort()).toEqual(['log', 'retry.attempt', 'retry.mystery']);
    expect(Object.values(byType).reduce((sum, n) => sum + n, 0)).toBe(batch!.dropped);
    expect(batch!.events.length + batch!.dropped).toBe(events.length);
  });

  it('never drops invariant.violated, even when the delivery lookup calls it droppable', () => {
    const source = new FakeSource();
    const hub = new LiveHub(source, () => () => 'droppable', { flushEveryMs: 60_000, maxQueuedEvents: 10, maxBufferedBytes: 1024 });
    const socket = new FakeSocket();
    expect(hub.attach(socket as unknown as WebSocket, 'run-1')).toBe(true);
    const breaks = Array.from({ length: 5 }, (_, i): TelemetryEvent => ({ type: 'invariant.violated', seq: t, t: t++, runId: 'run-1', invariant: 'x', detail: `break ${i}` }));
    source.listener!([...Array.from({ length: 50 }, request), ...breaks, ...Array.from({ length: 50 }, request)]);
    socket.bufferedAmount = 0;
    hub.flushAll();
    hub.close();
    const [batch] = socket.sent;
    expect(batch!.events.filter((e) => e.type === 'invariant.violated')).toEqual(breaks);
    expect(batch!.droppedByType).toEqual({ request: 95 });
  });

  it('sends nothing while idle; stops streaming once the socket closes', () => {
    const source = new FakeSource();
    const hub = new LiveHub(source, circuitRuns, { flushEveryMs: 60_000, maxQueuedEvents: MAX });
    const socket = new FakeSocket();
    socket.bufferedAmount = 0;
    expect(hub.attach(socket as unknown as WebSocket, 'unknown-run')).toBe(false);
    expect(hub.attach(socket as unknown as WebSocket, 'run-1')).toBe(true);
    hub.flushAll();
    expect(socket.sent).toHaveLength(0);
    socket.emit('close');
    expect(source.listener).toBeUndefined();
    expect(hub.clientCount).toBe(0);
    hub.close();
  });
});
