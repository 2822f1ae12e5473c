/**
 * The repositories in memory: Maps in a MemoryStore. For tests of the service
 * code and for running it without a database; it keeps the same contract as
 * the SQLite one (repository.contract.ts runs against both).
 *
 * Every object is copied on the way in and on the way out: a caller that
 * mutates a returned user must not change what is stored (a database would
 * not let it either).
 */
import type { Clock } from '../kit/index.ts';
import type { NewOrder, NewUser, Order, User, UserChanges } from './domain.ts';
import { ConcurrencyError, DuplicateEmailError, NotFoundError } from './errors.ts';
import {
  checkLimit,
  givenChanges,
  type ListOptions,
  type OrderRepository,
  type Page,
  type UserRepository,
  type UserWithOrders,
} from './repository.ts';

interface MemoryState {
  /**
   * Users by id. Ids only grow, so the Map's insertion order is id order: a
   * page is read by walking it, with no sort.
   */
  users: Map<number, User>;
  /** Each user's orders, ordered by id. The arrays are never changed in place, so a snapshot can share them. */
  ordersByUser: Map<number, readonly Order[]>;
  /** Ids are never reused, even after a removal (as SQLite's AUTOINCREMENT). */
  nextUserId: number;
  nextOrderId: number;
}

/** Everything the memory repositories hold; several repositories (and a unit of work) share one. */
export class MemoryStore {
  state: MemoryState = { users: new Map(), ordersByUser: new Map(), nextUserId: 1, nextOrderId: 1 };

  /** A copy of the whole state, to restore if a unit of work fails. */
  snapshot(): MemoryState {
    const { users, ordersByUser, nextUserId, nextOrderId } = this.state;
    return { users: new Map(users), ordersByUser: new Map(ordersByUser), nextUserId, nextOrderId };
  }

  restore(snapshot: MemoryState): void {
    this.state = snapshot;
  }
}

export class MemoryUserRepository implements UserRepository {
  constructor(
    private readonly clock: Clock,
    private readonly store: MemoryStore = new MemoryStore(),
  ) {}

  async get(id: number): Promise<User | undefined> {
    const user = this.users.get(id);
    return user && { ...user };
  }

  async list({ limit, after }: ListOptions): Promise<Page<User>> {
    checkLimit(limit);
    // One user more than asked tells whether there is a next page.
    const found: User[] = [];
    for (const user of this.users.values()) {
      if (after !== undefined && user.id <= after) continue;
      found.push(user);
      if (found.length > limit) break;
    }
    const items = found.slice(0, limit).map((u) => ({ ...u }));
    return { items, next: found.length > limit ? items[items.length - 1]!.id : undefined };
  }

  async listWithOrders(options: ListOptions): Promise<Page<UserWithOrders>> {
    const { items, next } = await this.list(options);
    const orders = this.store.state.ordersByUser;
    return { items: items.map((user) => ({ user, orders: (orders.get(user.id) ?? []).map((o) => ({ ...o })) })), next };
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const user = this.withEmail(email);
    return user && { ...user };
  }

  async add({ email, name, createdAt }: NewUser): Promise<User> {
    // Checked and written with no await in between: two adds of one email cannot both pass the check.
    if (this.withEmail(email)) throw new DuplicateEmailError(email);
    const user: User = { id: this.store.state.nextUserId++, email, name, version: 1, createdAt: createdAt ?? this.clock.wallNow() };
    this.users.set(user.id, user);
    return { ...user };
  }

  async update(id: number, changes: UserChanges, expectedVersion: number): Promise<User> {
    const current = this.users.get(id);
    if (!current) throw new NotFoundError('User', id);
    if (current.version !== expectedVersion) throw new ConcurrencyError('User', id, expectedVersion, current.version);
    const given = givenChanges(changes);
    if (given.email !== undefined) {
      const owner = this.withEmail(given.email);
      if (owner && owner.id !== id) throw new DuplicateEmailError(given.email);
    }
    // The given fields over the stored user; the id and the version come last, so nothing overwrites them.
    const updated: User = { ...current, ...given, id, version: current.version + 1 };
    this.users.set(id, updated);
    return { ...updated };
  }

  async remove(id: number): Promise<void> {
    if (!this.users.delete(id)) throw new NotFoundError('User', id);
  }

  private withEmail(email: string): User | undefined {
    for (const user of this.users.values()) if (user.email === email) return user;
    return undefined;
  }

  /** Read through the store every time: a unit of work that fails puts back an earlier state. */
  private get users(): Map<number, User> {
    return this.store.state.users;
  }
}

export class MemoryOrderRepository implements OrderRepository {
  constructor(
    private readonly clock: Clock,
    private readonly store: MemoryStore = new MemoryStore(),
  ) {}

  async add({ userId, amountCents, createdAt }: NewOrder): Promise<Order> {
    const { state } = this.store;
    const order: Order = { id: state.nextOrderId++, userId, amountCents, createdAt: createdAt ?? this.clock.wallNow() };
    // A new array, not a push: a snapshot taken before keeps the old one.
    state.ordersByUser.set(userId, [...(state.ordersByUser.get(userId) ?? []), order]);
    return { ...order };
  }

  async listByUser(userId: number): Promise<Order[]> {
    return (this.store.state.ordersByUser.get(userId) ?? []).map((o) => ({ ...o }));
  }
}
