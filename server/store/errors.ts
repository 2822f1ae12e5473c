/** The store's own errors: each message names the database file and says what to do. */

/** The database cannot be opened as the workbench's: the message is for the person starting it. */
export class StoreOpenError extends Error {}

/**
 * Another program holds a lock on the database (SQLITE_BUSY) longer than the store waits.
 * The API answers it with a 503: the request may well work in a moment.
 */
export class DatabaseBusyError extends Error {
  constructor(readonly file: string) {
    super(`the database is busy: another program holds a lock on ${file}; try again in a moment`);
  }
}

/** SQLite's error code (`SQLITE_BUSY`, `SQLITE_FULL`…), if `error` is one of its errors. */
export const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
};

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT…): someone else holds a lock. */
export const isBusy = (error: unknown): boolean => sqliteCode(error)?.startsWith('SQLITE_BUSY') ?? false;

/**
 * Replaces each method of `target` with one that turns SQLITE_BUSY into a DatabaseBusyError
 * naming `file`, so every caller (API handlers above all) sees one clear error for it.
 */
export const reportBusyAs = (target: object, file: string): void => {
  const prototype = Object.getPrototypeOf(target) as object;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
    if (name === 'constructor' || typeof method !== 'function') continue;
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        try {
          return (method as (...a: unknown[]) => unknown).apply(this, args);
        } catch (error) {
          throw isBusy(error) ? new DatabaseBusyError(file) : error;
        }
      },
    });
  }
};
