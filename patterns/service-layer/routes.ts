/**
 * The HTTP routes: thin on purpose. Each turns a request into one call of the
 * service and its result into a response; the rules are the service's.
 *
 *   POST /users        {"email": "ada@example.com", "name": "Ada"}  → 201 with the user
 *   GET  /users/:id                                                   → 200 with the user
 *
 * What goes wrong becomes a status in one place, `errorResponse`: every route
 * answers the same error the same way, and nothing the client sees comes from
 * SQLite. A busy database is a 503 the client may retry; anything unexpected
 * is a 500 naming only the request id, its details go to the log.
 */
import { isDatabaseError, type HttpResponse, type ServiceDefinition, type ServiceRequest } from '../kit/index.ts';
import type { SignUp, User } from './domain.ts';
import { EmailTaken, InvalidInput, UserNotFound } from './errors.ts';

/** The service as the routes use it (UserService, or anything with its methods). */
export interface Users {
  signUp(input: SignUp): Promise<User>;
  getUser(id: number): Promise<User>;
}

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface RoutesOptions {
  users: Users;
  logger: Logger;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

/** The request body as a sign-up: an object with a string `email` and `name` (what they contain is the service's to judge). */
const signUpFrom = (body: unknown): SignUp => {
  const { email, name } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof email !== 'string') throw new InvalidInput('email', 'required, as a string');
  if (typeof name !== 'string') throw new InvalidInput('name', 'required, as a string');
  return { email, name };
};

/** The routes, as the lab's server runs them. */
export const userRoutes = ({ users, logger }: RoutesOptions): ServiceDefinition => ({
  async handle(request: ServiceRequest): Promise<HttpResponse> {
    try {
      const { method, path } = request;
      if (method === 'POST' && path === '/users') {
        const user = await users.signUp(signUpFrom(request.body));
        return json(201, user, { location: `/users/${user.id}` });
      }
      const byId = /^\/users\/(\d+)$/.exec(path);
      if (method === 'GET' && byId) return json(200, await users.getUser(Number(byId[1])));
      return json(404, { error: `no route for ${method} ${path}` });
    } catch (error) {
      return errorResponse(error, request, logger);
    }
  },
});

/** SQLite's "try again later" codes (and their extended forms, SQLITE_BUSY_SNAPSHOT, …). */
const isTransient = (error: unknown): boolean =>
  isDatabaseError(error) && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'));

/** The one place an error becomes a status. */
export const errorResponse = (error: unknown, request: ServiceRequest, logger: Logger): HttpResponse => {
  if (error instanceof InvalidInput) return json(422, { error: error.message, field: error.field });
  if (error instanceof EmailTaken) return json(409, { error: error.message });
  if (error instanceof UserNotFound) return json(404, { error: error.message });
  // Not the client's fault and not for ever: say so, without SQLite's words.
  if (isTransient(error)) return json(503, { error: 'the service is busy, try again in a moment' }, { 'retry-after': '1' });
  const requestId = request.headers['x-request-id'];
  logger.error('unhandled error', { requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  return json(500, { error: 'internal error', requestId });
};
