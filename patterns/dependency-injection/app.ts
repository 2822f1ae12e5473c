/**
 * The sign-up app the lab runs: plain classes that take what they need
 * through their constructors and know nothing of the container. Who builds
 * them, how long each lives and which implementation a consumer gets is
 * decided in one place, composition-root.ts.
 *
 *   SignupHandler ─→ UserService ─┬→ UserRepository ─→ DbConnection ─→ ConnectionPool ─→ Database ─→ the run's SQLite (ctx.db)
 *                                 ├→ EmailSender (HttpEmailSender or FakeEmailSender)
 *                                 └→ IdGenerator
 */
import {
  Emitter,
  isDatabaseError,
  type Clock,
  type Event,
  type HttpClient,
  type LabDatabase,
  type Random,
  type RunResult,
  type SqlValue,
} from '../kit/index.ts';

/** A user as the app stores it: a row of the `users` table. */
export interface User {
  id: number;
  email: string;
  name: string;
  version: number;
  /** When the user signed up, epoch ms on the app's clock. */
  createdAt: number;
}

/** A sign-up as the handler receives it. */
export interface SignupRequest {
  email: string;
  name: string;
}

/**
 * The answer to a sign-up: 201 with the new user, 409 when the email is
 * taken, 503 when the database is busy (try again).
 */
export type SignupResponse = { status: 201; user: User } | { status: 409; error: string } | { status: 503; error: string };

/**
 * The `users` table: the same one the repository and service-layer patterns
 * use. "No two users share an email" is the UNIQUE constraint on `email`.
 */
export const USERS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  )`;

/** Someone already signed up with this email: a domain answer (409), not a failure. */
export class EmailTaken extends Error {
  override readonly name = 'EmailTaken';

  constructor(readonly email: string) {
    super(`${email} is already signed up`);
  }
}

/**
 * The database server, as the app reaches it: the run's SQLite database
 * (`ctx.db`, handed in by the composition root), with the app's schema
 * created once, on the first statement (and tried again on the next one if
 * that failed). It is reached only through a leased connection
 * (`DbConnection`), so the pool decides how many requests use it at once.
 *
 * An honest note on the connections: the run's database is *one* SQLite
 * connection, shared by the whole app. Each pooled "connection" is a lease
 * of it: a permit to send statements. That is exactly what a pool of size N
 * enforces on a real server (at most N requests talking to the database at
 * once, the rest waiting, then failing), which is all the lab needs; what
 * the leases do not give you is N separate sessions with transactions of
 * their own.
 */
export class Database {
  private schema: Promise<void> | undefined;

  constructor(private readonly db: LabDatabase) {}

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    await this.ready();
    return this.db.get<T>(sql, ...params);
  }

  async run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    await this.ready();
    return this.db.run(sql, ...params);
  }

  /** The schema, created once; a failed attempt (a busy database) is forgotten, so the next statement tries again. */
  private ready(): Promise<void> {
    this.schema ??= this.db.exec(USERS_SCHEMA).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }
}

/** No connection came free within the pool's acquire timeout: the request cannot reach the database. */
export class PoolExhaustedError extends Error {
  override readonly name = 'PoolExhaustedError';

  constructor(
    readonly size: number,
    readonly waitedMs: number,
  ) {
    super(`connection pool exhausted: all ${size} connections in use, none returned within ${waitedMs} ms`);
  }
}

/** A request's connection was used after the request ended and gave it back. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';

  constructor() {
    super('this DbConnection was closed when its request ended: something outlived the request and still holds it');
  }
}

export interface PoolState {
  size: number;
  inUse: number;
  /** Callers queued for a connection. */
  waiting: number;
}

export type PoolEvent =
  | ({ kind: 'leased'; connectionId: string; waitedMs: number } & PoolState)
  | ({ kind: 'released'; connectionId: string; heldMs: number } & PoolState)
  | ({ kind: 'exhausted'; waitedMs: number } & PoolState);

export interface ConnectionPoolOptions {
  clock: Clock;
  database: Database;
  /** How many connections the database lets this app hold at once. */
  size: number;
  /** How long a caller waits for a connection before PoolExhaustedError (SQLAlchemy's `pool_timeout`). */
  acquireTimeoutMs: number;
}

/** One connection on lease: queries go through it until it is released. */
export class Lease {
  constructor(
    readonly id: string,
    readonly since: number,
  ) {}
}

interface Waiter {
  since: number;
  grant(lease: Lease): void;
}

/**
 * A fixed number of database connections, lent one at a time. A connection
 * that is never given back is lost to everyone: leak as many as the pool's
 * size and every later caller waits, then fails. One per app: a singleton.
 * (Here each connection is a lease of the run's one SQLite connection: see
 * Database. The limit it enforces is the one a real server's pool does.)
 */
export class ConnectionPool {
  private readonly clock: Clock;
  readonly database: Database;
  private acquireTimeoutMs: number;
  private size: number;
  private readonly inUse = new Set<Lease>();
  private readonly waiters: Waiter[] = [];
  private leases = 0;
  private readonly changed = new Emitter<PoolEvent>();
  /** A connection was leased or released, or a caller gave up waiting. */
  readonly onChange: Event<PoolEvent> = this.changed.event;

  constructor(options: ConnectionPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`pool size must be a whole number ≥ 1, got ${options.size}`);
    if (!(options.acquireTimeoutMs >= 0)) throw new RangeError(`acquireTimeoutMs must be ≥ 0, got ${options.acquireTimeoutMs}`);
    this.clock = options.clock;
    this.database = options.database;
    this.size = options.size;
    this.acquireTimeoutMs = options.acquireTimeoutMs;
  }

  /** Changes how long later callers wait for a connection. */
  setAcquireTimeout(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`acquireTimeoutMs must be ≥ 0, got ${ms}`);
    this.acquireTimeoutMs = ms;
  }

  get state(): PoolState {
    return { size: this.size, inUse: this.inUse.size, waiting: this.waiters.length };
  }

  /** Changes the pool's size; leases beyond a smaller size end as they are released. */
  resize(size: number): void {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a whole number ≥ 1, got ${size}`);
    this.size = size;
    while (this.waiters.length > 0 && this.inUse.size < this.size) this.serveNextWaiter();
  }

  /** A connection, now or when one comes free; PoolExhaustedError after the acquire timeout. */
  acquire(): Promise<Lease> {
    if (this.inUse.size < this.size && this.waiters.length === 0) return Promise.resolve(this.announce(this.lend(), 0));
    // Queued in order: a connection that comes free goes to whoever waited longest.
    const since = this.clock.now();
    const granted = new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        since,
        grant: (lease) => {
          timer.dispose();
          resolve(lease);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const waitedMs = this.clock.now() - waiter.since;
        this.changed.fire({ kind: 'exhausted', waitedMs, ...this.state });
        reject(new PoolExhaustedError(this.size, waitedMs));
      }, this.acquireTimeoutMs);
      this.waiters.push(waiter);
    });
    // Announced on the caller's side (its async context), not inside the release that freed it.
    return granted.then((lease) => this.announce(lease, lease.since - since));
  }

  /** Gives the connection back (once: a second release is ignored) and hands it to the next waiter. */
  release(lease: Lease): void {
    if (!this.inUse.delete(lease)) return;
    this.changed.fire({ kind: 'released', connectionId: lease.id, heldMs: this.clock.now() - lease.since, ...this.state });
    if (this.waiters.length > 0 && this.inUse.size < this.size) this.serveNextWaiter();
  }

  private serveNextWaiter(): void {
    this.waiters.shift()!.grant(this.lend());
  }

  private lend(): Lease {
    this.leases += 1;
    const lease = new Lease(`conn-${this.leases}`, this.clock.now());
    this.inUse.add(lease);
    return lease;
  }

  private announce(lease: Lease, waitedMs: number): Lease {
    this.changed.fire({ kind: 'leased', connectionId: lease.id, waitedMs, ...this.state });
    return lease;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The request's connection to the database: leased from the pool on the
 * first statement (as an ORM session does), reused by every repository of
 * the request, and given back by `dispose()`. Scoped: one per request, and
 * whoever owns the request's scope must dispose it, or the connection leaks.
 */
export class DbConnection {
  private lease: Promise<Lease> | undefined;
  private closed = false;
  /** The leased connection's id, once the first statement has leased one. */
  connectionId: string | undefined;

  constructor(private readonly pool: ConnectionPool) {}

  /** The first row of a query, or `undefined`. */
  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    await this.leased();
    return this.pool.database.get<T>(sql, ...params);
  }

  /** Runs a statement that writes. */
  async run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    await this.leased();
    return this.pool.database.run(sql, ...params);
  }

  private async leased(): Promise<void> {
    if (this.closed) throw new ConnectionClosedError();
    this.lease ??= this.pool.acquire().then((lease) => {
      this.connectionId = lease.id;
      return lease;
    });
    await this.lease;
  }

  /** Gives the connection back to the pool, if a statement leased one; the connection is unusable afterwards. */
  async dispose(): Promise<void> {
    this.closed = true;
    const leasing = this.lease;
    this.lease = undefined;
    if (!leasing) return;
    try {
      this.pool.release(await leasing);
    } catch {
      // The lease itself failed (the pool was exhausted): there is nothing to give back.
    }
  }
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  version: number;
  created_at: number;
}

const COLUMNS = 'id, email, name, version, created_at';

const toUser = (row: UserRow): User => ({ id: row.id, email: row.email, name: row.name, version: row.version, createdAt: row.created_at });

/** SQLite's refusal of a second row with the same email (and not any other constraint). */
const isEmailTaken = (error: unknown): boolean =>
  isDatabaseError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('users.email');

/** The users table, through the request's connection. */
export class UserRepository {
  constructor(
    private readonly db: DbConnection,
    private readonly clock: Clock,
  ) {}

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = ?`, email);
    return row && toUser(row);
  }

  /** Stores a new user (version 1, signed up now); EmailTaken when another user already has its email. */
  async insert({ email, name }: SignupRequest): Promise<User> {
    try {
      const row = await this.db.get<UserRow>(
        `INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, ?) RETURNING ${COLUMNS}`,
        email,
        name,
        this.clock.wallNow(),
      );
      return toUser(row!);
    } catch (error) {
      // The UNIQUE constraint is the guarantee (two sign-ups can both pass findByEmail); here it
      // becomes the domain's word for it, so nothing above this class sees a SQLite error for it.
      if (isEmailTaken(error)) throw new EmailTaken(email);
      throw error;
    }
  }
}

/** One message, as every email sender takes it. */
export interface EmailMessage {
  /** The message's own id: the email service drops a second send of the same id. */
  id: string;
  to: string;
  template: 'welcome';
  name: string;
}

/** Sends email. Consumers depend on this, never on a class that implements it. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/** The email service answered, but not with a 2xx. */
export class EmailFailedError extends Error {
  override readonly name = 'EmailFailedError';

  constructor(readonly status: number) {
    super(`the email service answered ${status}`);
  }
}

/** Sends through the email service over HTTP. A singleton: one client, shared by every request. */
export class HttpEmailSender implements EmailSender {
  constructor(private readonly http: HttpClient) {}

  async send(message: EmailMessage): Promise<void> {
    const response = await this.http.request({ method: 'POST', path: '/messages', body: message, timeoutMs: 1_000 });
    if (response.status < 200 || response.status >= 300) throw new EmailFailedError(response.status);
  }
}

/** Keeps messages in memory instead of sending them: for tests, demos and local runs. */
export class FakeEmailSender implements EmailSender {
  /** The newest messages, oldest first (bounded, so a long run does not grow it forever). */
  readonly outbox: EmailMessage[] = [];
  sent = 0;

  constructor(private readonly keep = 100) {}

  async send(message: EmailMessage): Promise<void> {
    this.sent += 1;
    this.outbox.push(message);
    if (this.outbox.length > this.keep) this.outbox.shift();
  }
}

/** New message ids. Transient: holds nothing worth sharing, so each consumer gets its own. */
export class IdGenerator {
  constructor(private readonly random: Random) {}

  next(): string {
    return `msg-${Math.floor(this.random.next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0')}`;
  }
}

/** The business rule of signing up: one account per email, and a welcome email. */
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly email: EmailSender,
    private readonly ids: IdGenerator,
  ) {}

  /** The new user; EmailTaken when the email is already signed up. */
  async signUp({ email, name }: SignupRequest): Promise<User> {
    // Answers the common case early; the UNIQUE constraint behind insert() answers the rest.
    if (await this.users.findByEmail(email)) throw new EmailTaken(email);
    const user = await this.users.insert({ email, name });
    await this.email.send({ id: this.ids.next(), to: email, template: 'welcome', name });
    return user;
  }
}

/** The database refused for now (SQLITE_BUSY, SQLITE_LOCKED and their extended codes): worth a retry, not a 500. */
const isBusy = (error: unknown): boolean => isDatabaseError(error) && (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED'));

/**
 * POST /signup: checks the input, hands it to the service, and answers what
 * the service's errors mean to a client: a taken email is 409, a busy
 * database 503 (with no SQL in the answer). Anything else is thrown.
 */
export class SignupHandler {
  constructor(private readonly users: UserService) {}

  async handle(request: SignupRequest): Promise<SignupResponse> {
    if (!request.email.includes('@')) throw new TypeError(`not an email address: ${JSON.stringify(request.email)}`);
    try {
      return { status: 201, user: await this.users.signUp(request) };
    } catch (error) {
      if (error instanceof EmailTaken) return { status: 409, error: error.message };
      if (isBusy(error)) return { status: 503, error: 'the database is busy: try again in a moment' };
      throw error;
    }
  }
}
