/**
 * What the signup lab draws: the dependency graph with each node's lifetime,
 * what each request created or reused, its scope's bookkeeping, the
 * connection pool, the registrations, the request log, charts and logs.
 */
import { logsView, requestLogView, type FlowStage, type ViewSpec } from '../kit/index.ts';

/**
 * The graph's columns, by depth: what the request resolves, what that needs, and so on, down to
 * SignupHandler → UserService → UserRepository → DbConnection → ConnectionPool → Database.
 */
const COLUMNS = ['The request resolves', 'which needs', 'which need', 'which need', 'which needs', 'which needs'];

/** One column of the graph: the services resolved at `depth`, joined to the service that asked for them. */
const level = (label: string, depth: number): FlowStage => ({
  label,
  event: 'di.resolved',
  where: { depth },
  nodeField: 'node',
  countLabel: 'resolves',
  ...(depth > 0 && { link: { field: 'parent', previousField: 'token' } }),
});

export const signupViews: ViewSpec[] = [
  {
    kind: 'flow',
    title: 'Dependency graph',
    description:
      'Each service with its lifetime, left to right from what the request resolves to what that needs, and how often it was resolved. Database is resolved once: only building the ConnectionPool singleton needs it. Whether each resolve built a new instance is in Created or reused.',
    stages: COLUMNS.map(level),
  },
  {
    kind: 'keyed-bars',
    title: 'Created or reused',
    description:
      'Per service, each resolve over the last minute: a new instance (created) or one the container already had (reused). Singletons are reused by every request; scoped services once per request; transients never.',
    event: 'di.resolved',
    keyField: 'node',
    split: { field: 'reused', yes: 'reused', no: 'created' },
    latest: [
      { field: 'implementation', label: 'class' },
      { field: 'scopeId', label: 'last scope' },
    ],
    bucketMs: 1_000,
  },
  {
    kind: 'table',
    title: 'Scopes',
    description: 'One row per request: what its scope created and reused, and what it disposed when the request ended. "left behind" must stay empty.',
    events: ['di.scope'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'scopeId', label: 'scope' },
      { field: 'outcome', label: 'outcome', format: 'outcome' },
      { field: 'created', label: 'created', format: 'count' },
      { field: 'reused', label: 'reused', format: 'count' },
      { field: 'disposed', label: 'disposed', format: 'count' },
      { field: 'undisposed', label: 'left behind' },
    ],
    filters: ['outcome'],
    search: ['requestId', 'scopeId', 'undisposed'],
    details: { field: 'requestId' },
    empty: 'No requests yet.',
    maxRows: 1_000,
  },
  {
    kind: 'keyed-bars',
    title: 'Connection pool',
    description:
      'Connections leased and released, and callers that gave up waiting (exhausted). In use should fall back to 0 between requests; stuck at the pool size, every request fails.',
    event: 'pool.connection',
    keyField: 'pool',
    split: { field: 'ok', yes: 'leased or released', no: 'exhausted' },
    latest: [
      { field: 'inUse', label: 'in use', format: 'count' },
      { field: 'size', label: 'size', format: 'count' },
      { field: 'waiting', label: 'waiting', format: 'count' },
      { field: 'kind', label: 'last' },
    ],
    bucketMs: 1_000,
  },
  {
    kind: 'charts',
    title: 'Throughput, errors, scopes and the pool',
    metrics: ['throughput', 'errors', 'latency'],
    rates: [
      { event: 'pool.connection', where: { kind: 'exhausted' }, label: 'pool-exhausted errors' },
      { event: 'di.created', where: { lifetime: 'scoped' }, label: 'scoped instances created' },
      { event: 'di.disposed', where: { lifetime: 'scoped' }, label: 'scoped instances disposed' },
    ],
    levels: [
      // At every lease and release: a leaked scope shows as a line that climbs to the pool's size and stays.
      { event: 'pool.connection', field: 'inUse', label: 'in use', chart: 'Connections in use and waiting' },
      { event: 'pool.connection', field: 'waiting', label: 'waiting', chart: 'Connections in use and waiting' },
    ],
  },
  {
    kind: 'table',
    title: 'Registrations',
    description: 'What the composition root registered, with its lifetime; "replaced" marks a live swap (the class now answering is in Created or reused).',
    events: ['di.registered'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'token', label: 'token' },
      { field: 'lifetime', label: 'lifetime' },
      { field: 'replaced', label: 'replaced', format: 'boolean' },
    ],
    filters: ['token', 'lifetime'],
    empty: 'Nothing registered yet.',
    maxRows: 200,
  },
  requestLogView(),
  logsView(),
];
