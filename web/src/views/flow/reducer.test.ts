import { describe, expect, it } from 'vitest';
import type { FlowViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { signupViews } from '../../../../patterns/event-bus/views.ts';
import { CheckpointedFold } from '../shared/checkpoints.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCustom, makeRequest } from '../shared/testing.ts';
import { MAX_LINKS } from './link.ts';
import { LATENCY_SAMPLES, makeFlowReducer, MAX_NODES } from './reducer.ts';

/** The event bus lab's flow, as its manifest declares it. */
const eventBus = signupViews.find((view): view is FlowViewSpec => view.kind === 'flow')!;

const published = (t: number, eventId: string, name = 'user.created') => makeCustom('event.published', { eventId, name }, t);
const handled = (t: number, fields: Record<string, unknown> = {}) =>
  makeCustom('event.handled', { eventId: 'evt-1', handler: 'send-welcome-email', ok: true, durationMs: 10, attempt: 1, ...fields }, t);
const deadLetter = (t: number, fields: Record<string, unknown> = {}) =>
  makeCustom('event.deadletter', { eventId: 'evt-1', handler: 'send-welcome-email', attempts: 3, error: 'email answered 503', ...fields }, t);

const reduce = (spec: FlowViewSpec, events: TelemetryEvent[]) => reduceEvents(makeFlowReducer(spec), events, Infinity);

describe('flow reducer, on the event bus', () => {
  it('follows publishers, events and handlers with their figures', () => {
    const [publishers, names, handlers] = reduce(eventBus, [
      makeRequest({ target: 'POST /signup' }),
      published(1, 'e1'),
      published(2, 'e2'),
      handled(3, { eventId: 'e1', handler: 'create-profile', durationMs: 10 }),
      handled(4, { eventId: 'e1', ok: false, durationMs: 30, error: 'email answered 503' }),
      handled(5, { eventId: 'e1', attempt: 2, durationMs: 10 }),
    ]).columns;

    expect(publishers!.nodes).toMatchObject([{ name: 'POST /signup', count: 1, ok: 1, failed: 0, avgMs: 5 }]);
    expect(names!.nodes).toMatchObject([{ name: 'user.created', count: 2, last: { t: 2 } }]);
    expect(names!.total).toBe(2);
    expect(handlers!.nodes.map((node) => node.name)).toEqual(['create-profile', 'send-welcome-email']);
    expect(handlers!.nodes[1]).toMatchObject({ count: 2, ok: 1, failed: 1, retries: 1, avgMs: 20, p90Ms: 30, last: { ok: true, outcome: 'ok', t: 5 } });
    expect(handlers).toMatchObject({ total: 3, failed: 1 });
  });

  it('joins every publisher to every event, and each handler to the events it handled', () => {
    const [, names, handlers] = reduce(eventBus, [
      makeRequest({ target: 'POST /signup' }),
      at(1, makeRequest({ target: 'DELETE /users/:id' })),
      published(2, 'e1'),
      published(3, 'e2', 'user.deleted'),
      handled(4, { eventId: 'e1', handler: 'create-profile' }),
      handled(5, { eventId: 'e2', handler: 'erase-profile', ok: false, error: 'disk full' }),
    ]).columns;

    // No link from publishers to events: every pair, lit by the event's last publish.
    expect(names!.edges).toEqual([
      { from: 'POST /signup', to: 'user.created', t: 2, ok: undefined },
      { from: 'POST /signup', to: 'user.deleted', t: 3, ok: undefined },
      { from: 'DELETE /users/:id', to: 'user.created', t: 2, ok: undefined },
      { from: 'DELETE /users/:id', to: 'user.deleted', t: 3, ok: undefined },
    ]);
    // Linked by eventId: only the events each handler handled, coloured by the last outcome along the edge.
    expect(handlers!.edges).toEqual([
      { from: 'user.created', to: 'create-profile', t: 4, ok: true },
      { from: 'user.deleted', to: 'erase-profile', t: 5, ok: false },
    ]);
    expect(handlers!.nodes[1]!.last).toEqual({ t: 5, ok: false, outcome: 'failed', error: 'disk full' });
  });

  it('counts dead letters per handler, a handler seen only there included', () => {
    const [, , handlers] = reduce(eventBus, [
      published(0, 'e1'),
      handled(5, { eventId: 'e1', ok: false }),
      deadLetter(10, { eventId: 'e1' }),
      deadLetter(20, { eventId: 'e-unknown', handler: 'track-analytics', attempts: 1 }),
    ]).columns;

    expect(handlers!.nodes.map((node) => [node.name, node.count, node.counts])).toEqual([
      ['send-welcome-email', 1, [1]],
      ['track-analytics', 0, [1]],
    ]);
    expect(handlers!.counts).toEqual([2]);
  });

  it('keeps latency samples, nodes and link values bounded', () => {
    const slowThenFast = Array.from({ length: LATENCY_SAMPLES * 3 }, (_, i) => handled(i, { durationMs: i < LATENCY_SAMPLES * 2 ? 1000 : 1 }));
    // With send-welcome-email, MAX_NODES + 5 handlers: five too many for the column.
    const manyHandlers = Array.from({ length: MAX_NODES + 4 }, (_, i) => handled(i, { handler: `handler-${i}` }));
    const manyEvents = Array.from({ length: MAX_LINKS + 1 }, (_, i) => published(i, `e${i}`));
    const [, names, handlers] = reduce(eventBus, [
      ...slowThenFast,
      ...manyHandlers,
      ...manyEvents,
      handled(MAX_LINKS + 1, { eventId: 'e0', handler: 'handler-1' }),
      handled(MAX_LINKS + 2, { eventId: `e${MAX_LINKS}`, handler: 'handler-2' }),
    ]).columns;

    // Average and p90 both describe the recent (fast) samples only.
    expect(handlers!.nodes[0]).toMatchObject({ name: 'send-welcome-email', avgMs: 1, p90Ms: 1 });
    expect(handlers!.nodes).toHaveLength(MAX_NODES);
    expect(handlers!.notShown).toBe(5);
    expect(handlers!.total).toBe(LATENCY_SAMPLES * 3 + MAX_NODES + 4 + 2);
    expect(names!.nodes).toHaveLength(1);
    // The oldest event id was forgotten: its handler's attempt draws no edge; the newest one's does.
    expect(handlers!.edges.map((edge) => edge.to)).toEqual(['handler-2']);
  });
});

describe('flow reducer, through layers', () => {
  /** Route → service → repository, each call carrying the request's id, as a layered lab would declare it. */
  const layers: FlowViewSpec = {
    kind: 'flow',
    title: 'Layers',
    stages: [
      { label: 'Routes', event: 'request', where: { direction: 'inbound' }, nodeField: 'target', outcomeField: 'outcome' },
      { label: 'Services', event: 'service.call', nodeField: 'method', link: { field: 'requestId', previousField: 'id' }, okField: 'ok' },
      { label: 'Repository', event: 'repository.call', nodeField: 'method', link: { field: 'requestId', previousField: 'requestId' }, okField: 'ok' },
    ],
  };
  const service = (t: number, requestId: string, method: string, ok = true) => makeCustom('service.call', { requestId, method, ok }, t);
  const repository = (t: number, requestId: string, method: string, ok = true) => makeCustom('repository.call', { requestId, method, ok }, t);
  const request = (t: number, id: string, target: string, outcome: 'ok' | 'error' = 'ok') => at(t, makeRequest({ id, target, outcome }));

  it('links the three columns by request id, though the inner calls are recorded first', () => {
    // Each layer records its call when it returns: the repository's first, the route's last.
    const [routes, services, repositories] = reduce(layers, [
      repository(1, 'req-1', 'findByEmail'),
      repository(2, 'req-1', 'insert'),
      service(3, 'req-1', 'register'),
      request(4, 'req-1', 'POST /users'),
      repository(5, 'req-2', 'findById'),
      service(6, 'req-2', 'getUser'),
      request(7, 'req-2', 'GET /users/:id'),
      repository(8, 'req-3', 'findByEmail'),
      service(9, 'req-3', 'register', false),
      request(10, 'req-3', 'POST /users', 'error'),
    ]).columns;

    expect(routes!.nodes.map((node) => [node.name, node.ok, node.failed])).toEqual([
      ['POST /users', 1, 1],
      ['GET /users/:id', 1, 0],
    ]);
    // An edge is lit from when both its ends were seen, and takes the inner call's outcome.
    expect(services!.edges).toEqual([
      { from: 'POST /users', to: 'register', t: 10, ok: false },
      { from: 'GET /users/:id', to: 'getUser', t: 7, ok: true },
    ]);
    expect(repositories!.edges).toEqual([
      { from: 'register', to: 'findByEmail', t: 9, ok: true },
      { from: 'register', to: 'insert', t: 3, ok: true },
      { from: 'getUser', to: 'findById', t: 6, ok: true },
    ]);
  });

  it('links calls recorded after the one they follow too', () => {
    const [, services, repositories] = reduce(layers, [
      request(1, 'req-1', 'POST /users'),
      service(2, 'req-1', 'register'),
      repository(3, 'req-1', 'insert', false),
    ]).columns;
    expect(services!.edges).toEqual([{ from: 'POST /users', to: 'register', t: 2, ok: true }]);
    expect(repositories!.edges).toEqual([{ from: 'register', to: 'insert', t: 3, ok: false }]);
  });

  it('scrubs back through checkpoints to the same model (its accumulator is plain data)', () => {
    const events = Array.from({ length: 30 }, (_, i) => [
      repository(i * 4, `req-${i}`, 'findByEmail'),
      service(i * 4 + 1, `req-${i}`, 'register', i % 3 > 0),
      request(i * 4 + 2, `req-${i}`, 'POST /users'),
    ])
      .flat()
      .map((event, seq) => ({ ...event, seq }));
    const reducer = makeFlowReducer(layers);
    const fold = new CheckpointedFold(reducer, { every: 7 });
    fold.model(events, Infinity);
    const scrubbed = events.slice(0, 50);
    expect(fold.model(scrubbed, Infinity)).toEqual(reduceEvents(reducer, scrubbed, Infinity));
  });

  it('joins a stage without a link to every node of the one before', () => {
    const unlinked: FlowViewSpec = { ...layers, stages: [layers.stages[0]!, { ...layers.stages[1]!, link: undefined }] };
    const [, services] = reduce(unlinked, [
      request(1, 'req-1', 'POST /users'),
      request(2, 'req-2', 'GET /users/:id'),
      service(3, 'req-9', 'register', false),
    ]).columns;
    expect(services!.edges).toEqual([
      { from: 'POST /users', to: 'register', t: 3, ok: false },
      { from: 'GET /users/:id', to: 'register', t: 3, ok: false },
    ]);
  });
});
