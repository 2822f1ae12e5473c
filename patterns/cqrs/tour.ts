/**
 * The guided tour of the orders lab: a read model that lags, stale reads of
 * one's own writes, the two ways to read them, and a projection that counts
 * an order twice when a batch is delivered again. Plain data: each step is
 * ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'orders',
  title: 'Behind the read model: lag, stale reads, and an order counted twice',
  intro:
    'Clients place orders through a command bus (`command-bus.ts`, `write-side.ts`), which records an event for each. ' +
    'A projection (`projection.ts`) reads those events and builds a read model, one summary row per user, which every ' +
    'query reads (`read-side.ts`). You will watch the read model lag behind, see clients miss their own orders, fix ' +
    'that two ways, and break the projection with a batch delivered twice. The widely copied Python version has none ' +
    'of this: its queries read the same repository as its commands, so there is nothing to lag, and nothing to scale apart.',
  steps: [
    {
      title: 'Watch the read model lag',
      instruction:
        'Press **▶ Start run**. Half the requests are commands (mostly `PlaceOrder`), half are queries: each client reads ' +
        'its own summary right after its commands. Watch **Projection lag** and **Reading your own writes, per client**.',
      until: [
        { type: 'cqrs.projection', where: { ok: true }, count: 10 },
        { type: 'cqrs.query', where: { stale: true }, count: 5 },
      ],
      explanation:
        'The projection polls the event log every 200 ms, so the read model is always a little behind the write side. A ' +
        'client that reads its summary a few milliseconds after its order was acknowledged often gets a summary without ' +
        'it: a stale read. Nothing is broken: this is eventual consistency, the price of a read model that is separate ' +
        'from the write side.',
    },
    {
      title: 'Slow the projection down',
      instruction: 'In **Parameters**, set **Projection slowness** to 1000 ms and press **Apply**.',
      until: [
        { type: 'params.changed', where: { 'params.projectionDelayMs': { gte: 500 } } },
        { type: 'cqrs.projection', where: { eventsBehind: { gte: 5 }, msBehind: { gte: 500 } }, count: 3 },
      ],
      explanation:
        'Now every batch takes a second: the events behind and the time behind grow, and almost every query is stale. ' +
        'In production this is a slow read store, a projection redeployed, or one that crashed: the read model does not ' +
        'stop answering, it answers from further in the past.',
    },
    {
      title: 'Wait for the position your command returned',
      instruction:
        'Keep the projection slow. Set **Reading your own writes** to *Wait for the position the command returned* and ' +
        '**Apply**. Watch the queries’ **waited** column, and the 503s in the **Request log**.',
      until: [
        { type: 'params.changed', where: { 'params.consistency': 'wait-for-position' } },
        { type: 'cqrs.query', where: { consistency: 'wait-for-position', ok: true, stale: false, waitedMs: { gte: 1 } }, count: 5 },
        { type: 'request', where: { direction: 'inbound', status: 503 }, count: 3 },
      ],
      explanation:
        'Every command answers with the position of the event it recorded; the client hands it to its query, and the ' +
        'read side waits until the projection has passed it. No stale read any more (the `read-your-writes` invariant ' +
        'watches), but the query pays the lag in latency, and one that waits longer than the timeout is answered 503: ' +
        'better no answer than a wrong one.',
    },
    {
      title: 'Read your own writes from the write side',
      instruction: 'Set **Reading your own writes** to *Read own writes from the write side* and **Apply**.',
      until: [{ type: 'cqrs.query', where: { source: 'write-side', stale: false }, count: 10 }],
      explanation:
        'When the read model is behind the client\u2019s position, that one answer is computed from the write side\u2019s ' +
        'tables: fresh and fast, at the cost of load on the side CQRS meant to keep free of reads. Only the client who ' +
        'wrote needs it; everyone else reads the read model. Put **Projection slowness** back to 0.',
    },
    {
      title: 'Deliver batches twice',
      instruction:
        'Set **Batches delivered twice** to 0.5 and **Apply**. Then, on the **Code** tab, open `projection.ts`, delete ' +
        'the check that skips an event at or below the stored position, and save.',
      until: [{ type: 'invariant.violated', where: { invariant: 'read-model-matches-events' }, count: 3 }],
      explanation:
        'Delivery is at least once: a batch whose acknowledgement is lost comes again. The projection as written skipped ' +
        'those events, because its position said they were in. Without that check every order of a repeated batch is ' +
        'counted twice, and the read model no longer equals what the events say.',
    },
    {
      title: 'Fix it, and rebuild from zero',
      instruction:
        'Put the check back and save. The read model is still wrong: raise **Read model version** by one and **Apply**, ' +
        'then read the **Logs**.',
      until: [{ type: 'cqrs.rebuild' }],
      explanation:
        'A fixed projection does not fix the rows it already counted. But the events are the truth and the read model only ' +
        'a copy: the rebuild emptied it, set the position to 0 and applied every event once, and the log says how many ' +
        'fewer orders it counts than before: the ones the old read model had counted twice.',
    },
  ],
};
