import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'api',
  title: 'Through the pipeline, into the rate limiter, and around it',
  intro:
    'Every request to the products API goes down the pipeline of `app.ts` (request id, logging, timing, error ' +
    'handling, rate limiting) to the routes, and its answer comes back up. You will watch requests flow, push ' +
    'clients over their limit, compare the three rate-limiting algorithms under the same load, and then game the ' +
    'fixed window at its boundary, the way the per-minute counters of the widely copied Python version ' +
    '(`f"{client_id}:{minute}"`) can be gamed.',
  steps: [
    {
      title: 'Requests flow through the pipeline',
      instruction:
        'Press **▶ Start run**. The default load sends 20 requests per second spread over 4 clients (`client-0` … ' +
        '`client-3`). Watch the **Request log**, the **Logs** and the **Rate limiting** view.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 20 },
        { type: 'log', where: { msg: 'request completed', level: 'info' }, count: 20 },
        { type: 'ratelimit', where: { allowed: true }, count: 20 },
      ],
      explanation:
        'Each request got one structured `request completed` line with its request id, route, status and duration: ' +
        'the load generator sends its own id as `x-request-id` and the `requestId` middleware reuses it, so the ' +
        'request log and the logs share ids. Each client sends 5 requests per second against a limit of 10, so ' +
        'every rate-limit decision is `allowed`, with `remaining` counting down within each window.',
    },
    {
      title: 'Push clients over their limit',
      instruction:
        'In the **Load** panel, set **Rate** to 60 req/s and **Client keys** to 2, and press **Apply**: 30 requests ' +
        'per second per client, three times its limit.',
      until: [
        { type: 'ratelimit', where: { allowed: false } },
        { type: 'request', where: { direction: 'inbound', outcome: 'rejected', status: 429 }, count: 5 },
        { type: 'log', where: { level: 'warn', msg: 'request completed', 'fields.status': 429 }, count: 5 },
      ],
      explanation:
        'About two thirds of the requests are now refused with 429 and *retry after 1 s*: the `Retry-After` header, ' +
        "rounded up so a client that waits that long is let in. Each refusal is still logged, as a `warn` with its " +
        'request id, because `rateLimit` runs *inside* `requestLogger` in `app.ts`. In the widely copied Python ' +
        'version the `rate_limit_middleware`, declared last, wraps the `logging_middleware`, and the 429s (the ' +
        'lines you want during an incident) never reach the logs.',
    },
    {
      title: 'Same limit, three algorithms',
      instruction:
        'Keep the load. In **Parameters**, set **Algorithm** to *Sliding window (log)* and press **Apply**. Compare ' +
        'the **Rate limiting** view with what the fixed window did; then try *Token bucket* too.',
      until: [
        { type: 'params.changed', where: { 'params.algorithm': 'sliding-window' } },
        { type: 'ratelimit', where: { algorithm: 'sliding-window', allowed: true }, count: 10 },
        { type: 'ratelimit', where: { algorithm: 'sliding-window', allowed: false }, count: 10 },
      ],
      explanation:
        'Under a steady overload all three let about 10 requests per second per client through, but they spend them ' +
        'differently. The fixed window lets the first 10 of each second in and refuses the rest until the boundary; ' +
        'the sliding window lets one in each time an old one leaves the last second; the token bucket lets one in ' +
        'every 100 ms, as a token refills. (Changing a parameter builds a new limiter: every client starts afresh.)',
    },
    {
      title: 'Game the fixed window',
      instruction:
        'Set **Algorithm** back to *Fixed window*, tick **Boundary burst client**, and press **Apply**. A scripted ' +
        '`burst-client` sends a full limit 100 ms before a window boundary and another just after it. Watch the ' +
        '**Logs** for its report.',
      until: [
        { type: 'params.changed', where: { 'params.algorithm': 'fixed-window', 'params.boundaryBurst': true } },
        { type: 'log', where: { level: 'warn', 'fields.algorithm': 'fixed-window', 'fields.spanMs': { gte: 1 } } },
      ],
      explanation:
        '*boundary burst: 20 of 20 allowed within 101 ms*. Every request was within the limit of its own window, ' +
        'and still the client got twice the limit through in a tenth of a second, because windows aligned on the ' +
        'clock forget everything at the boundary. The widely copied Python version\u2019s ' +
        '`f"{client_id}:{minute}"` counters do exactly this with minutes: 60 requests at 10:00:59 and 60 more at ' +
        '10:01:00.',
    },
    {
      title: 'Close the hole',
      instruction:
        'Keep the burst client and set **Algorithm** to *Sliding window (log)*, then **Apply**. Wait for the next ' +
        'burst report in the **Logs**.',
      until: [
        { type: 'params.changed', where: { 'params.algorithm': 'sliding-window', 'params.boundaryBurst': true } },
        { type: 'log', where: { level: 'info', 'fields.algorithm': 'sliding-window', 'fields.spanMs': { gte: 1 } } },
      ],
      explanation:
        'Now only the limit gets through (10 of 20): a sliding log remembers when each allowed request came and ' +
        'looks back exactly one window from every request, so there is no boundary to aim at. The token bucket ' +
        'allows 11 (its burst plus the one token that refilled in 101 ms). The price of the log is up to `limit` ' +
        'timestamps per client instead of one counter, which is why the limiter sweeps idle clients away.',
    },
  ],
};
