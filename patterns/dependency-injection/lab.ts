/**
 * The "signup" lab: every inbound request is a POST /signup served in a
 * scope of its own. The composition root (composition-root.ts) registers the
 * app (app.ts) in a container (container.ts); per request, `withRequestScope`
 * resolves SignupHandler → UserService → UserRepository → DbConnection, which
 * leases a connection from the ConnectionPool singleton on its first query
 * and gives it back when the scope is disposed. The welcome email goes
 * through the EmailSender singleton: HttpEmailSender calls the email service
 * (http fault point `email`), FakeEmailSender keeps it in memory; the
 * `emailSender` parameter swaps them live. The users are rows of the run's
 * SQLite database (`ctx.db`, the `users` table the repository and
 * service-layer labs use too), which the Database singleton wraps: every
 * statement is a `sql` event, and the `database` fault point makes
 * statements slow, busy or locked (a busy sign-up answers 503).
 *
 * The lab counts what each request's scope created and disposed from the
 * container's own events, and checks when the request ends that the scope
 * disposed everything it created; it does not take the container's word for
 * the connection: it watches the pool itself, which connection each request
 * leased and whether it was given back. A scope that leaks keeps its connection
 * leased: leak as many as the pool holds and every later request waits for a
 * connection, then fails with "connection pool exhausted".
 *
 * This file wires things up and turns typed events into telemetry; the
 * pattern (container.ts) and the app stay free of telemetry calls.
 */
import {
  DisposableStore,
  isDatabaseError,
  isDownstreamError,
  type LabContext,
  type LabInstance,
  type LabRequest,
  type LabResult,
  type Params,
} from '../kit/index.ts';
import { ConnectionPool, EmailFailedError, PoolExhaustedError } from './app.ts';
import { registerApp, SignupHandlerT, useEmailSender, withRequestScope } from './composition-root.ts';
import { Container, type Lifetime } from './container.ts';
import { signupParams } from './params.ts';

const ROUTE = 'POST /signup';
/** The healthy email service accepts a message in 10–30 ms. */
const EMAIL_LATENCY_MS = { base: 10, jitter: 20 };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** "UserService · scoped": how the graph and the bars name a service. */
const nodeOf = (token: string, lifetime: Lifetime): string => `${token} · ${lifetime}`;

/** The class of what the container handed out: the implementation behind a token. */
const classOf = (instance: unknown): string =>
  typeof instance === 'object' && instance !== null ? instance.constructor.name || 'object' : typeof instance;

/** How a failed sign-up is answered. */
const failure = (error: unknown): LabResult => {
  const message = messageOf(error);
  if (error instanceof PoolExhaustedError) return { outcome: 'error', status: 503, error: message, route: ROUTE };
  if (isDownstreamError(error)) {
    return error.code === 'ETIMEDOUT'
      ? { outcome: 'timeout', status: 504, error: `email service: ${message}`, route: ROUTE }
      : { outcome: 'error', status: 502, error: `email service: ${message}`, route: ROUTE };
  }
  if (error instanceof EmailFailedError) return { outcome: 'error', status: 502, error: message, route: ROUTE };
  // The handler answers busy and locked itself (503); anything else the database refused is a 500, named by its code only.
  if (isDatabaseError(error)) return { outcome: 'error', status: 500, error: `the database refused a statement (${error.code})`, route: ROUTE };
  return { outcome: 'error', status: 500, error: message, route: ROUTE };
};

/** What the lab counts for one request's scope, from the container's events. */
interface ScopeCount {
  requestId: string;
  /** Tokens created in the scope, in order (a token twice for two transients). */
  created: string[];
  disposed: string[];
  reused: number;
}

/** The tokens of `created` not matched by one in `disposed`. */
const leftBehind = (created: readonly string[], disposed: readonly string[]): string[] => {
  const open = [...disposed];
  return created.filter((token) => {
    const i = open.indexOf(token);
    if (i < 0) return true;
    open.splice(i, 1);
    return false;
  });
};

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  let settings = signupParams.read(ctx.params);

  const emailService = ctx.service('email', {
    async handle() {
      await ctx.clock.sleep(EMAIL_LATENCY_MS.base + ctx.random.next() * EMAIL_LATENCY_MS.jitter);
      return { status: 202, headers: {}, body: { queued: true } };
    },
  });

  const container = new Container();
  const scopes = new Map<string, ScopeCount>();

  store.add(
    container.onRegistered(({ token, lifetime, replaced }) => {
      ctx.emit({ type: 'di.registered', token, lifetime, replaced });
    }),
  );
  store.add(
    container.onResolved((e) => {
      const count = scopes.get(e.scopeId);
      if (count && e.reused) count.reused += 1;
      const parent = e.requestedBy;
      ctx.emit({
        type: 'di.resolved',
        ...(count && { requestId: count.requestId }),
        scopeId: e.scopeId,
        token: e.token,
        lifetime: e.lifetime,
        node: nodeOf(e.token, e.lifetime),
        ...(parent !== undefined && { parent }),
        depth: e.depth,
        reused: e.reused,
        implementation: classOf(e.instance),
      });
    }),
  );
  store.add(
    container.onCreated(({ token, lifetime, scopeId }) => {
      const count = scopes.get(scopeId);
      if (count) {
        // Scoped means one per request: a second one in the same scope is a container bug.
        if (lifetime === 'scoped') {
          ctx.invariant(
            'one-scoped-instance-per-request',
            !count.created.includes(token),
            () => `${count.requestId} (${scopeId}) created a second ${token}: a scoped service must be one instance per request`,
          );
        }
        count.created.push(token);
      }
      const requestId = count?.requestId ?? ctx.currentRequestId();
      ctx.emit({ type: 'di.created', ...(requestId && { requestId }), scopeId, token, lifetime, node: nodeOf(token, lifetime) });
    }),
  );
  store.add(
    container.onDisposed(({ token, lifetime, scopeId }) => {
      const count = scopes.get(scopeId);
      count?.disposed.push(token);
      const requestId = count?.requestId ?? ctx.currentRequestId();
      ctx.emit({ type: 'di.disposed', ...(requestId && { requestId }), scopeId, token, lifetime, node: nodeOf(token, lifetime) });
    }),
  );

  // The pool is a singleton, built by the first request that needs a connection (so the graph
  // shows it under DbConnection); the lab starts watching it the moment it exists.
  const poolSettings = { size: settings.poolSize, acquireTimeoutMs: settings.acquireTimeoutMs };
  let pool: ConnectionPool | undefined;
  /** Connections leased and not yet released, by id: the request that leased each, as the lab saw it. */
  const leasedBy = new Map<string, string | undefined>();
  const watchPool = (created: ConnectionPool) => {
    pool = created;
    store.add(
      created.onChange((change) => {
        // The pool announces a lease in the async context of the caller that got it (a queued
        // caller's too), and a release in that of the caller giving it back.
        const requestId = ctx.currentRequestId();
        if (change.kind === 'leased') leasedBy.set(change.connectionId, requestId);
        else if (change.kind === 'released') leasedBy.delete(change.connectionId);
        const { kind, inUse, size, waiting } = change;
        const base = { type: 'pool.connection' as const, pool: 'db', kind, ok: kind !== 'exhausted', inUse, size, waiting, ...(requestId && { requestId }) };
        if (change.kind === 'leased') ctx.emit({ ...base, connectionId: change.connectionId, waitedMs: change.waitedMs });
        else if (change.kind === 'released') ctx.emit({ ...base, connectionId: change.connectionId, heldMs: change.heldMs });
        else ctx.emit({ ...base, waitedMs: change.waitedMs });
      }),
    );
  };
  store.add(
    container.onResolved(({ instance }) => {
      if (!pool && instance instanceof ConnectionPool) watchPool(instance);
    }),
  );

  registerApp(container, {
    clock: ctx.clock,
    random: ctx.random,
    emailService,
    emailSender: settings.emailSender,
    // The run's database, kept across redeploys: the users signed up before a redeploy are still there.
    db: ctx.db,
    pool: poolSettings,
  });

  ctx.log.info(`signup lab ready: ${settings.emailSender} email sender, a pool of ${settings.poolSize} connections`, { ...settings });

  let stopped = false;
  let signups = 0;

  /** The invariant, when the request's work has ended: its scope disposed everything it created. */
  const closeScope = (scopeId: string | undefined, request: LabRequest, outcome: 'ok' | 'error') => {
    if (scopeId === undefined) return;
    const count = scopes.get(scopeId);
    scopes.delete(scopeId);
    if (!count || stopped) return;
    const undisposed = leftBehind(count.created, count.disposed);
    // Seen at the pool, not reported by the container: the connections this request leased and kept.
    const kept = [...leasedBy].filter(([, by]) => by === request.id).map(([connectionId]) => connectionId);
    ctx.emit({
      type: 'di.scope',
      requestId: request.id,
      scopeId,
      created: count.created.length,
      reused: count.reused,
      disposed: count.disposed.length,
      undisposed: undisposed.join(', '),
      outcome,
    });
    const inUse = pool ? ` (${pool.state.inUse} of ${pool.state.size} connections in use)` : '';
    ctx.invariant(
      'scope-disposes-what-it-created',
      undisposed.length === 0 && kept.length === 0,
      () =>
        undisposed.length > 0
          ? `${request.id} ended (${outcome}) before its scope ${scopeId} disposed ${undisposed.length} of the ${count.created.length} instances it created: ` +
            `${undisposed.join(', ')}${kept.length > 0 ? `; its connection ${kept.join(', ')} is still leased` : ''}${inUse}`
          : `${request.id} ended (${outcome}) and its scope ${scopeId} reports everything disposed, but the pool never got its connection ${kept.join(', ')} back${inUse}`,
    );
  };

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const n = ++signups;
      let scopeId: string | undefined;
      try {
        const response = await withRequestScope(container, (scope) => {
          scopeId = scope.id;
          scopes.set(scope.id, { requestId: request.id, created: [], disposed: [], reused: 0 });
          // The run numbers its requests, across redeploys too: an email per request id is never taken
          // (the lab is about lifetimes, not about two sign-ups racing for one email).
          return scope.resolve(SignupHandlerT).handle({ email: `${request.id}@example.test`, name: `User ${n}` });
        });
        closeScope(scopeId, request, 'ok');
        if (response.status === 201) return { outcome: 'ok', status: 201, route: ROUTE };
        return { outcome: response.status === 409 ? 'rejected' : 'error', status: response.status, error: response.error, route: ROUTE };
      } catch (error) {
        closeScope(scopeId, request, 'error');
        return failure(error);
      }
    },
    updateParams(params: Params) {
      // A knob the update leaves out keeps its current value.
      const next = signupParams.read(params, settings);
      if (next.emailSender !== settings.emailSender) {
        useEmailSender(container, next.emailSender, { emailService });
        ctx.log.info(`EmailSender is now the ${next.emailSender} implementation, from the next request on; UserService is unchanged`, {
          emailSender: next.emailSender,
        });
      }
      // Before the pool exists, the new values are what it will be built with.
      poolSettings.size = next.poolSize;
      poolSettings.acquireTimeoutMs = next.acquireTimeoutMs;
      if (next.poolSize !== settings.poolSize) pool?.resize(next.poolSize);
      if (next.acquireTimeoutMs !== settings.acquireTimeoutMs) pool?.setAcquireTimeout(next.acquireTimeoutMs);
      settings = next;
    },
    async dispose() {
      stopped = true;
      const inUse = pool?.state.inUse ?? 0;
      if (inUse > 0) ctx.log.warn(`lab stopped with ${inUse} connections still leased`, { inUse });
      store.dispose();
      await container.dispose();
    },
  };
}
