/**
 * The "signup" lab: a users API on the lab's own HTTP server. Thin routes
 * (routes.ts) call the UserService (user-service.ts), which calls the
 * repository and unit of work (repository.ts) over the run's SQLite database.
 * The load signs people up (POST /users) and looks them up (GET /users/:id).
 *
 * Every layer is wrapped in a tracing decorator (lab-support.ts), so each
 * request leaves a trace, route → service → repository → SQL, with each
 * span's time. The lab itself watches two invariants, counted here from what
 * the clients were answered, not asked of the service (it is the code under
 * test): no two sign-ups are acknowledged for one email, and no answer shows
 * SQLite's own words.
 */
import type { HttpResponse, LabContext, LabInstance, LabRequest, LabResult, Params, ServiceRequest } from '../kit/index.ts';
import { applySchema, makeTrace, retryWhileBusy, tracedEmailCheck, tracedRepository, tracedUnitOfWork, tracedUsers } from './lab-support.ts';
import { signupParams } from './params.ts';
import { SqlUnitOfWork, SqlUserRepository, USERS_SCHEMA } from './repository.ts';
import { userRoutes } from './routes.ts';
import { UserService, type EmailCheck } from './user-service.ts';

/** One request in five looks a user up; the others sign someone up. */
const LOOKUP_SHARE = 0.2;
/** One sign-up in four types its address with capitals (`U3-12@Example.com`): the same mailbox. */
const CAPITALIZED_SHARE = 0.25;
/** The email check's time varies by up to this share of its base, either way. */
const CHECK_JITTER = 0.4;
/** Ids remembered for look-ups. */
const KNOWN_IDS = 1_000;
/**
 * Mailboxes remembered for the `unique-email` invariant, the newest kept. The
 * load's addresses change every second, so a duplicate comes within a second
 * or two of the first sign-up: this covers tens of seconds at full load, and
 * keeps the lab's memory flat over a long run.
 */
const KNOWN_MAILBOXES = 20_000;

/** SQLite's words, which a client must never read: its error codes and messages. */
const SQL_WORDS = /SQLITE_|database (table )?is locked|constraint failed|no such (table|column)|syntax error/i;

/** The same mailbox, however it was typed: what the invariant counts by (the lab's own rule, not the service's). */
const mailbox = (email: string) => email.trim().toLowerCase();

export async function start(ctx: LabContext): Promise<LabInstance> {
  let settings = signupParams.read(ctx.params);
  const checkFault = ctx.fault('email-check');
  const trace = makeTrace(ctx.clock, (span) => {
    const requestId = ctx.currentRequestId();
    ctx.emit({ type: 'service-layer.span', ...(requestId !== undefined && { requestId }), ...span });
  });

  // The schema of repository.ts, on a database that may hold an earlier deploy's users.
  const schema = await retryWhileBusy(ctx.clock, () => applySchema(ctx.db, USERS_SCHEMA)).catch((error: unknown) => {
    // The old table is untouched (the transaction rolled back); say which file to look at.
    throw new Error(`the schema in repository.ts could not be applied to the run's users table: ${error instanceof Error ? error.message : String(error)}`);
  });
  ctx.emit({ type: 'service-layer.schema', ...schema });
  if (schema.created) ctx.log.info('users table created from the schema in repository.ts');
  else if (schema.dropped === 0) ctx.log.info(`users table re-created from the schema in repository.ts: all ${schema.kept} users kept`, { ...schema });
  else {
    ctx.log.warn(
      `users table re-created from the schema in repository.ts: ${schema.kept} users kept, ${schema.dropped} dropped (they broke a constraint of the new schema, such as a second user for one email; the first of each was kept)`,
      { ...schema },
    );
  }

  // Who holds each mailbox, as far as the clients were told: from the table now, then from every 201.
  // With the address as it was typed, and the request that was answered 201 (none for a user already in the table).
  const owners = new Map<string, { id: number; email: string; requestId?: string }>();
  const knownIds: number[] = [];
  const rows = await retryWhileBusy(ctx.clock, () =>
    ctx.db.all<{ id: number; email: string }>(`SELECT id, email FROM (SELECT id, email FROM users ORDER BY id DESC LIMIT ${KNOWN_MAILBOXES}) ORDER BY id`),
  );
  let shared = 0;
  for (const { id, email } of rows) {
    if (owners.has(mailbox(email))) shared++;
    else owners.set(mailbox(email), { id, email });
    knownIds.push(id);
  }
  knownIds.splice(0, knownIds.length - KNOWN_IDS);
  if (shared > 0) ctx.log.warn(`the users table already holds ${shared} users whose email another user has`, { shared });
  let duplicates = 0;

  const emailCheck: EmailCheck = {
    async deliverable(email) {
      await checkFault.hit();
      const jitter = (ctx.random.next() * 2 - 1) * CHECK_JITTER;
      await ctx.clock.sleep(settings.emailCheckMs * (1 + jitter));
      // The reserved top-level domain: nothing there accepts mail.
      return !email.endsWith('.invalid');
    },
  };
  const service = new UserService({
    users: tracedRepository(new SqlUserRepository(ctx.db, ctx.clock), trace),
    unitOfWork: tracedUnitOfWork(new SqlUnitOfWork(ctx.db, ctx.clock), trace),
    emailCheck: tracedEmailCheck(emailCheck, trace),
  });
  const routes = userRoutes({ users: tracedUsers(service, trace), logger: ctx.log });
  const api = ctx.server('users-api', {
    async handle(request: ServiceRequest) {
      const start = ctx.clock.now();
      const response = await routes.handle(request);
      const requestId = ctx.currentRequestId();
      ctx.emit({
        type: 'service-layer.span',
        ...(requestId !== undefined && { requestId }),
        layer: 'route',
        name: routeOf(request.method, request.path),
        durationMs: ctx.clock.now() - start,
        ok: response.status < 400,
        status: response.status,
      });
      return response;
    },
  });

  /** An address for a new sign-up: one of `distinctEmails` this second, sometimes typed with capitals. */
  const pickEmail = () => {
    const k = Math.floor(ctx.random.next() * settings.distinctEmails);
    const second = Math.floor(ctx.clock.now() / 1_000);
    return ctx.random.next() < CAPITALIZED_SHARE ? `U${k}-${second}@Example.com` : `u${k}-${second}@example.com`;
  };

  /** The invariants, on every answer. */
  const watch = (request: LabRequest, sent: { email?: string }, response: HttpResponse) => {
    const answer = JSON.stringify(response.body ?? null);
    ctx.invariant('no-sql-in-answers', !SQL_WORDS.test(answer), () => `${request.id} was answered ${response.status} ${answer}`);
    if (response.status !== 201 || sent.email === undefined) return;
    const { id } = response.body as { id: number };
    knownIds.push(id);
    if (knownIds.length > KNOWN_IDS) knownIds.shift();
    const key = mailbox(sent.email);
    const owner = owners.get(key);
    if (owner === undefined) {
      owners.set(key, { id, email: sent.email, requestId: request.id });
      // A Map iterates in insertion order: the first key is the oldest.
      if (owners.size > KNOWN_MAILBOXES) owners.delete(owners.keys().next().value!);
      return;
    }
    duplicates++;
    ctx.invariant(
      'unique-email',
      false,
      () =>
        `${key} now belongs to users ${owner.id} and ${id} (duplicate ${duplicates} of this deploy): ` +
        `user ${owner.id} ${owner.requestId === undefined ? 'was in the table already' : `was created by ${owner.requestId}`} as ${JSON.stringify(owner.email)}, ` +
        `user ${id} by ${request.id} as ${JSON.stringify(sent.email)}`,
    );
  };

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const lookup = knownIds.length > 0 && ctx.random.next() < LOOKUP_SHARE;
      const sent = lookup
        ? { method: 'GET', path: `/users/${knownIds[Math.floor(ctx.random.next() * knownIds.length)]}` }
        : { method: 'POST', path: '/users', email: pickEmail() };
      const route = routeOf(sent.method, sent.path);
      try {
        const response = await api.request({
          method: sent.method,
          path: sent.path,
          // The load generator's id goes along, so every span and statement names its request.
          headers: { 'content-type': 'application/json', 'x-request-id': request.id },
          ...('email' in sent && { body: { email: sent.email, name: `Member ${request.id}` } }),
          ...(request.signal && { signal: request.signal }),
        });
        watch(request, sent, response);
        return toResult(response, route);
      } catch (error) {
        return { outcome: 'error', error: error instanceof Error ? error.message : String(error), route };
      }
    },
    updateParams(params: Params) {
      settings = signupParams.read(params);
      ctx.log.info(`load: ${settings.distinctEmails} distinct emails per second; email check ${settings.emailCheckMs} ms`, { ...settings });
    },
    dispose: () => undefined,
  };
}

const routeOf = (method: string, path: string) => (path.startsWith('/users/') ? `${method} /users/:id` : `${method} ${path}`);

/** The request log's outcome: a refusal the client caused (409, 404, 422) is `rejected`, the server's failures `error`. */
const toResult = (response: HttpResponse, route: string): LabResult => {
  const { status } = response;
  if (status < 300) return { outcome: 'ok', status, route };
  const body = response.body as { error?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  return { outcome: status < 500 ? 'rejected' : 'error', status, route, error };
};
