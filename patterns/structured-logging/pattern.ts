/**
 * The manifest of the structured logging pattern: what the catalog lists and
 * the Lab tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { checkoutParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { checkoutViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'structured-logging',
  title: 'Structured logging',
  category: 'operations',
  summary:
    'Log one JSON object per line, with levels and fields instead of sentences; bind the request id once and let it follow the request across every async call and into the services it calls; redact personal data and sample the chatty levels before anything is written.',
  editableFiles: ['logger.ts', 'checkout.ts', 'payments.ts', 'redact.ts', 'sampling.ts'],
  telemetry,
  labs: [
    {
      id: 'checkout',
      title: 'A checkout and its payments service, logging',
      summary:
        'POST /checkout on a real HTTP server: a route, a service that prices the cart and charges it through a payments service, each logging JSON lines through the logger of logger.ts. Explore the lines by level and by any field, follow one request across both services, and watch the volume per level as the load rises. Switch off redaction, sampling or the per-call context to see what each one prevents.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'payments',
          kind: 'http',
          title: 'Payments service',
          description:
            'The downstream the checkout charges each cart through. Errors become 502s that the checkout must log as errors with their request id; latency keeps more requests in flight at once, where a request context kept in a module variable gets mixed up.',
        },
        {
          id: 'pricing',
          kind: 'in-process',
          title: 'Price look-up',
          description:
            "The checkout service's look-up of each item's price. An exception is a bug answered with a 500 (and an error line); latency stretches every request and overlaps them.",
        },
      ],
      params: checkoutParams.specs,
      views: checkoutViews,
      guide: {
        watch:
          'Watch the **Log explorer**: every line is an object carrying its request\'s id, across checkout and payments; open a line to follow its whole request.',
        tryFirst: { label: 'Turn redaction off, as the widely copied Python version logs', params: { redaction: false } },
      },
      // 20 checkouts a second over 4 clients: about 80 debug lines a second in all, under the
      // default debug budget, so sampling keeps every line until you raise the load.
      defaultLoad: { model: 'open', rate: 20, clients: 4 },
      invariants: [
        {
          id: 'no-pii-in-logs',
          description: 'No log line shows personal data: an email address or an IP address, in any field or in the message.',
        },
        {
          id: 'every-line-has-request-id',
          description:
            "Every line logged while a request is served carries that request's id (requestId): in the checkout service, and in the payments service it calls.",
        },
        {
          id: 'every-failure-logged',
          description: 'Every request answered with a 5xx has at least one error line carrying its request id, whatever the load and the sampling.',
        },
      ],
    },
  ],
};
