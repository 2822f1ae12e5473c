/**
 * The manifest of the CQRS pattern: what the catalog lists and the Lab tab
 * shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { ordersParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { ordersViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'cqrs',
  title: 'CQRS',
  category: 'messaging',
  summary:
    'Send changes and reads down separate paths: commands through a bus to one handler each, which record events; queries to a read model that a projection builds from those events. Reads get fast and simple, and eventually consistent: the lab shows the lag, the stale reads it causes, and how to read your own writes.',
  editableFiles: ['command-bus.ts', 'projection.ts', 'read-side.ts', 'write-side.ts', 'messages.ts'],
  telemetry,
  labs: [
    {
      id: 'orders',
      title: 'Orders through a command bus, summaries from a projected read model',
      summary:
        "Clients place orders (commands) and read their own summary right after (queries), in two lanes of one load. A projection polls the event log and builds the read model; slow it down or make it fail and it falls behind, and under eventual consistency clients read summaries without their own latest order. Deliver batches twice and a projection that is not idempotent counts orders twice; rebuild the read model from zero to see by how much.",
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'projection',
          kind: 'in-process',
          title: 'Projection',
          description:
            'Each batch the projection is about to apply. Latency slows it down so the read model falls behind; an exception fails the batch, which comes again at the next poll from the stored position.',
        },
        {
          id: 'database',
          kind: 'database',
          title: 'Database',
          description:
            "Every statement of the write side, the projection and the read side. Latency slows all three; busy or locked fails a command (a 503), a query, or a projection batch (rolled back whole, applied again later).",
        },
      ],
      params: ordersParams.specs,
      views: ordersViews,
      guide: {
        watch:
          'Watch **Projection lag**: commands write at once, queries read a model the projection fills a moment later; **Reading your own writes, per client** counts queries that missed their own command.',
        tryFirst: { label: 'Slow the projection down by 1 s', params: { projectionDelayMs: 1000 } },
      },
      // 20 requests a second over 2 clients, half commands, half queries: each client's next
      // request comes 100 ms after its last, often before the projection's next poll.
      defaultLoad: { model: 'open', rate: 20, clients: 2 },
      invariants: [
        {
          id: 'read-model-matches-events',
          description:
            "The read model equals a rebuild from the events: after each batch, the order count and total of every user the batch touched are what the events up to the projection's stored position say, whatever was delivered twice.",
        },
        {
          id: 'read-your-writes',
          description:
            'When queries promise to read your own writes (wait for position, or the write side for own writes), no client reads a summary without an order it was already told was placed.',
        },
      ],
    },
  ],
};
