/**
 * The errors a repository throws, in the domain's words. Callers catch these,
 * never a driver's error: a service that catches `SQLITE_CONSTRAINT_UNIQUE`
 * is tied to SQLite as surely as one that writes SQL.
 */

/** No entity with this id (for an update or a removal: `get` answers `undefined` instead). */
export class NotFoundError extends Error {
  override readonly name: string = 'NotFoundError';

  constructor(
    readonly entity: string,
    readonly id: number,
  ) {
    super(`${entity} ${id} does not exist`);
  }
}

/** The entity changed since the caller read it: its version is no longer the one the caller expected. */
export class ConcurrencyError extends Error {
  override readonly name: string = 'ConcurrencyError';

  constructor(
    readonly entity: string,
    readonly id: number,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`${entity} ${id} is at version ${actualVersion}, not ${expectedVersion}: read it again and retry`);
  }
}

/** Another user already has this email. */
export class DuplicateEmailError extends Error {
  override readonly name: string = 'DuplicateEmailError';

  constructor(readonly email: string) {
    super(`A user with email ${email} already exists`);
  }
}

export const isNotFoundError = (error: unknown): error is NotFoundError => error instanceof NotFoundError;
export const isConcurrencyError = (error: unknown): error is ConcurrencyError => error instanceof ConcurrencyError;
export const isDuplicateEmailError = (error: unknown): error is DuplicateEmailError => error instanceof DuplicateEmailError;
