/**
 * The repositories, as the service code sees them: collections of domain
 * objects with the operations the domain needs, and nothing about how they
 * are stored. Two implementations follow the same contract
 * (repository.contract.ts): memory-repository.ts and sqlite-repository.ts.
 *
 * Why these operations and not a generic `Repository<T>` with update(id, obj):
 * - `list` pages by key (`after` the last id seen), not by offset: an offset
 *   skips or repeats rows when others are added or removed between two pages,
 *   and the database still reads every skipped row.
 * - `update` takes only the fields to change and the version the caller read:
 *   copying a whole object over the stored one overwrites the id and every
 *   field the caller did not mean to touch, and a lost update goes unnoticed.
 * - `listWithOrders` reads a page of users with their orders in one query: the
 *   service asks for what it needs, instead of calling `listByUser` for each
 *   user of a page (one query per user: N+1).
 * - failures are domain errors (errors.ts), never the driver's.
 */
import { EDITABLE_USER_FIELDS, type NewOrder, type NewUser, type Order, type User, type UserChanges } from './domain.ts';

/** One page of a keyset-paged list. */
export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; `undefined` on the last page. */
  next: number | undefined;
}

/** A user and every order they placed, ordered by id: one row of a "users with their orders" page. */
export interface UserWithOrders {
  user: User;
  orders: Order[];
}

export interface ListOptions {
  /** Page size, at least 1. */
  limit: number;
  /** The `next` cursor of the previous page; omitted for the first page. */
  after?: number;
}

export interface UserRepository {
  /** The user, or `undefined` when there is none with this id. */
  get(id: number): Promise<User | undefined>;
  /** Users ordered by id, `limit` at a time. */
  list(options: ListOptions): Promise<Page<User>>;
  /**
   * One page of users (as `list`), each with their orders, read together. A
   * caller that lists users and then asks for each one's orders makes one
   * query per user (N+1); this makes one for the page.
   */
  listWithOrders(options: ListOptions): Promise<Page<UserWithOrders>>;
  findByEmail(email: string): Promise<User | undefined>;
  /** Adds a user at version 1. Throws DuplicateEmailError if the email is taken. */
  add(user: NewUser): Promise<User>;
  /**
   * Sets the given fields only (absent or `undefined` fields keep their value)
   * and bumps the version. Throws NotFoundError for a missing id,
   * ConcurrencyError when the stored version is not `expectedVersion`, and
   * DuplicateEmailError if the new email is taken.
   */
  update(id: number, changes: UserChanges, expectedVersion: number): Promise<User>;
  /** Removes the user. Throws NotFoundError for a missing id. */
  remove(id: number): Promise<void>;
}

export interface OrderRepository {
  add(order: NewOrder): Promise<Order>;
  /** The user's orders, ordered by id. */
  listByUser(userId: number): Promise<Order[]>;
}

/** The repositories one piece of work uses together. */
export interface Repositories {
  users: UserRepository;
  orders: OrderRepository;
}

/** Checks a page size once, for both implementations. */
export const checkLimit = (limit: number): void => {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
};

/** The changes that were actually given: fields that are absent or `undefined` are left out. */
export const givenChanges = (changes: UserChanges): UserChanges => {
  const given: UserChanges = {};
  // Only the editable fields are read, whatever else the object carries at run time.
  for (const field of EDITABLE_USER_FIELDS) {
    const value = changes[field];
    if (value !== undefined) given[field] = value;
  }
  return given;
};
