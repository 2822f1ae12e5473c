/**
 * The sign-up app the lab runs: plain classes that take what they need
 * through their constructors and know nothing of the container. Who builds
 * them, how long each lives and which implementation a consumer gets is
 * decided in one place, composition-root.ts.
 *
 *   SignupHandler ─→ UserService ─┬→ UserRepository ─→ DbConnection ─→ ConnectionPool ─→ Database
 *                                 ├→ EmailSender (HttpEmailSender or FakeEmailSender)
 *                                 └→ IdGenerator
 */
import { Emitter, type Clock, type Event, type HttpClient, type Random } from '../kit/index.ts';

/** A user as the app stores it. */
export interface User {
  id: string;
  email: string;
  name: string;
}

/** A sign-up as the handler receives it. */
export interface SignupRequest {
  email: string;
  name: string;
}

/** The answer to a sign-up: 201 with the new user, or 409 when the email is taken. */
export type SignupResponse = { status: 201; user: User } | { status: 409; error: string };

/**
 * The database server: its table of users and how long a query takes. It is
 * reached only through a leased connection, so the pool decides how many
 * queries run at once.
 */
export class Database {
  private readonly users = new Map<string, User>();

  constructor(
    /** Awaited before every query: the server's latency, and where the lab injects faults. */
    private readonly beforeQuery: () => Promise<void> = async () => {},
  ) {}

  async query<T>(run: (users: Map<string, User>) => T): Promise<T> {
    await this.beforeQuery();
    return run(this.users);
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
 * first query (as an ORM session does), reused by every repository of the
 * request, and given back by `dispose()`. Scoped: one per request, and
 * whoever owns the request's scope must dispose it, or the connection leaks.
 */
export class DbConnection {
  private lease: Promise<Lease> | undefined;
  private closed = false;
  /** The leased connection's id, once the first query has leased one. */
  connectionId: string | undefined;

  constructor(private readonly pool: ConnectionPool) {}

  async query<T>(run: (users: Map<string, User>) => T): Promise<T> {
    if (this.closed) throw new ConnectionClosedError();
    this.lease ??= this.pool.acquire().then((lease) => {
      this.connectionId = lease.id;
      return lease;
    });
    await this.lease;
    return this.pool.database.query(run);
  }

  /** Gives the connection back to the pool, if a query leased one; the connection is unusable afterwards. */
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

/** The users table, through the request's connection. */
export class UserRepository {
  constructor(private readonly db: DbConnection) {}

  findByEmail(email: string): Promise<User | undefined> {
    return this.db.query((users) => [...users.values()].find((u) => u.email === email));
  }

  insert(user: User): Promise<void> {
    return this.db.query((users) => void users.set(user.id, user));
  }
}

/** One message, as every email sender takes it. */
export interface EmailMessage {
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

/** New user ids. Transient: holds nothing worth sharing, so each consumer gets its own. */
export class IdGenerator {
  constructor(private readonly random: Random) {}

  next(): string {
    return `user-${Math.floor(this.random.next() * 2 ** 32)
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

  async signUp({ email, name }: SignupRequest): Promise<SignupResponse> {
    if (await this.users.findByEmail(email)) return { status: 409, error: `${email} is already signed up` };
    const user: User = { id: this.ids.next(), email, name };
    await this.users.insert(user);
    await this.email.send({ to: email, template: 'welcome', name });
    return { status: 201, user };
  }
}

/** POST /signup: checks the input and hands it to the service. */
export class SignupHandler {
  constructor(private readonly users: UserService) {}

  handle(request: SignupRequest): Promise<SignupResponse> {
    if (!request.email.includes('@')) throw new TypeError(`not an email address: ${JSON.stringify(request.email)}`);
    return this.users.signUp(request);
  }
}
