/**
 * The small domain the repositories store: users, and the orders they place.
 * Plain data, no behaviour and no storage concerns: the service code that uses
 * them never learns whether they live in a Map or in SQLite.
 */

export interface User {
  readonly id: number;
  /** Unique across users: two accounts never share an email. */
  readonly email: string;
  readonly name: string;
  /**
   * Bumped by every update. A caller that read version 3 and updates with
   * `expectedVersion: 3` is refused if someone else got there first, instead
   * of silently overwriting their change (optimistic concurrency).
   */
  readonly version: number;
  /** When the user was added: the injected clock's wall time, in epoch milliseconds. */
  readonly createdAt: number;
}

export interface Order {
  readonly id: number;
  readonly userId: number;
  /** Money as an integer number of cents: never a float. */
  readonly amountCents: number;
  readonly createdAt: number;
}

/**
 * What the caller provides to add a user. The repository owns the rest: it
 * assigns the id, starts the version at 1 and stamps createdAt (unless the
 * caller passes one, e.g. when importing existing data).
 */
export interface NewUser {
  email: string;
  name: string;
  createdAt?: number;
}

/**
 * The fields an update may change, and only those. The id and the version are
 * not in the type at all, so no update can overwrite them by accident; a field
 * that is absent (or `undefined`) keeps its value.
 */
export interface UserChanges {
  email?: string;
  name?: string;
}

/** The editable fields, as a list: the one place an update looks for what it may set. */
export const EDITABLE_USER_FIELDS = ['email', 'name'] as const satisfies ReadonlyArray<keyof UserChanges>;

export interface NewOrder {
  userId: number;
  amountCents: number;
  createdAt?: number;
}
