import type { PatternManifest } from '../kit/index.ts';
import { apiParams } from './params.ts';
import { apiViews } from './views.ts';
import { telemetry } from './telemetry.ts';

export const pattern: PatternManifest = {
  id: 'middleware',
  title: 'Middleware',
  category: 'api',
  summary:
    'Wrap every request in a pipeline of small, reusable steps (request id, logging, timing, errors, rate limiting) that run in a chosen order around the route handlers.',
  editableFiles: ['middleware.ts', 'rate-limit.ts', 'algorithms.ts', 'app.ts'],
  telemetry,
  labs: [
    {
      id: 'api',
      title: 'A products API behind its middleware',
      summary:
        'GET /products and GET /products/:id on a real HTTP server, behind request id, logging, timing, error handling and a per-client rate limiter. Raise the load or lower the limit to see 429s; switch between fixed window, sliding window and token bucket.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'handler',
          kind: 'in-process',
          title: 'Route handler',
          description:
            'Inside the products handlers, behind all the middleware. Latency makes requests slow (watch the logged duration and server-timing); an exception becomes a 500 that the error handler answers and the logging middleware still records.',
        },
      ],
      params: apiParams.specs,
      views: apiViews,
      guide: {
        watch:
          'Watch the **Rate limiting** view: per client, the requests let through and those refused with `429`; the **Logs** show each request passing through the middleware.',
        tryFirst: { label: 'Push two clients to 30 requests/s each, three times their limit', load: { model: 'open', rate: 60, clients: 2 } },
      },
      // 20 requests per second over 4 clients: 5 per client per second, half
      // the default limit, so every request passes until you push harder.
      defaultLoad: { model: 'open', rate: 20, clients: 4 },
      invariants: [
        {
          id: 'limit-kept',
          description:
            'No client gets more through than the algorithm in use promises: at most the limit per clock window (fixed), in any span of one window (sliding), or the burst plus the refill (token bucket).',
        },
        {
          id: 'response-has-request-id',
          description: 'Every response carries its request id (x-request-id), a 429 or a 500 as much as a 200.',
        },
      ],
    },
  ],
};
