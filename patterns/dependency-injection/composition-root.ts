/**
 * The composition root: the one place that knows every class of the app,
 * builds it, and decides how long each instance lives. Everything else asks
 * for what it needs by token and never learns which class it got.
 *
 * Lifetimes, and why:
 *   Database, ConnectionPool  singleton  one per app: the database it wraps, and the pool every request shares
 *   EmailSender               singleton  one HTTP client (or one fake outbox) for every request
 *   DbConnection              scoped     one per request, leased on its first query, given back at the end
 *   UserRepository            scoped     works through the request's connection
 *   UserService, SignupHandler scoped    hold the request's repository
 *   IdGenerator               transient  holds nothing worth sharing
 *
 * A singleton must never hold a scoped service: it would keep the first
 * request's connection for ever (a captive dependency). The container
 * refuses that at resolve time, naming the chain.
 */
import type { Clock, HttpClient, LabDatabase, Random } from '../kit/index.ts';
import {
  ConnectionPool,
  Database,
  DbConnection,
  FakeEmailSender,
  HttpEmailSender,
  IdGenerator,
  SignupHandler,
  UserRepository,
  UserService,
  type EmailSender,
} from './app.ts';
import { Container, type Scope } from './container.ts';
import { token } from './tokens.ts';

export const DatabaseT = token<Database>('Database');
export const ConnectionPoolT = token<ConnectionPool>('ConnectionPool');
export const DbConnectionT = token<DbConnection>('DbConnection');
export const UserRepositoryT = token<UserRepository>('UserRepository');
export const EmailSenderT = token<EmailSender>('EmailSender');
export const IdGeneratorT = token<IdGenerator>('IdGenerator');
export const UserServiceT = token<UserService>('UserService');
export const SignupHandlerT = token<SignupHandler>('SignupHandler');

export type EmailSenderKind = 'http' | 'fake';

/** What the app needs from outside: the clock, randomness, the email service, the database and its pool's settings. */
export interface AppDeps {
  clock: Clock;
  random: Random;
  /** The email service, for HttpEmailSender. */
  emailService: HttpClient;
  /** Which EmailSender the app uses. */
  emailSender: EmailSenderKind;
  /** The database the app's `Database` wraps: in the lab, the run's SQLite database (`ctx.db`). */
  db: LabDatabase;
  /** How many connections the app may lease at once, and how long a request waits for one. */
  pool: { size: number; acquireTimeoutMs: number };
}

/** Registers every service of the app in `container`. */
export function registerApp(container: Container, deps: AppDeps): Container {
  container
    .register(DatabaseT, { lifetime: 'singleton', factory: () => new Database(deps.db) })
    .register(ConnectionPoolT, {
      lifetime: 'singleton',
      factory: (r) => new ConnectionPool({ clock: deps.clock, database: r.resolve(DatabaseT), ...deps.pool }),
    })
    .register(DbConnectionT, { lifetime: 'scoped', factory: (r) => new DbConnection(r.resolve(ConnectionPoolT)) })
    .register(UserRepositoryT, { lifetime: 'scoped', factory: (r) => new UserRepository(r.resolve(DbConnectionT), deps.clock) })
    .register(IdGeneratorT, { lifetime: 'transient', factory: () => new IdGenerator(deps.random) })
    .register(UserServiceT, {
      lifetime: 'scoped',
      factory: (r) => new UserService(r.resolve(UserRepositoryT), r.resolve(EmailSenderT), r.resolve(IdGeneratorT)),
    })
    .register(SignupHandlerT, { lifetime: 'scoped', factory: (r) => new SignupHandler(r.resolve(UserServiceT)) });
  useEmailSender(container, deps.emailSender, deps);
  return container;
}

/**
 * Registers the EmailSender implementation `kind`. Its consumers are not
 * touched: UserService asks for EmailSenderT and gets whichever is
 * registered when its request's scope builds it. Called again while the app
 * runs, it swaps the implementation from the next request on; the old one
 * lives until the container is disposed.
 */
export function useEmailSender(container: Container, kind: EmailSenderKind, deps: Pick<AppDeps, 'emailService'>): void {
  if (kind !== 'http' && kind !== 'fake') throw new TypeError(`unknown email sender ${JSON.stringify(kind)}: use 'http' or 'fake'`);
  container.register(EmailSenderT, {
    lifetime: 'singleton',
    factory: () => (kind === 'http' ? new HttpEmailSender(deps.emailService) : new FakeEmailSender()),
  });
}

/**
 * Runs one request's work in a scope of its own, and disposes the scope
 * when the work ends, however it ends: what the scope created (the request's
 * connection first of all) goes back even when the work throws. The answer
 * waits for the disposal, so a connection is back in the pool before the
 * next request of the same client comes.
 */
export async function withRequestScope<T>(container: Container, work: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = container.createScope();
  try {
    return await work(scope);
  } finally {
    await scope.dispose();
  }
}
