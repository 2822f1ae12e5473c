/**
 * The errors a container throws of its own, one class per kind, so a test or a
 * startup check can tell a wiring mistake from a failure inside a factory.
 * Each names the chain of services that led to it: a wiring mistake is found by
 * reading that chain, not by stepping through factories.
 */

/** "A → B → C", the way every message here writes a resolution chain. */
export const formatChain = (names: readonly string[]): string => names.join(' → ');

/** " (needed by A → B)", or nothing for a token resolved directly. */
const neededBy = (requestedBy: readonly string[]): string => (requestedBy.length === 0 ? '' : ` (needed by ${formatChain(requestedBy)})`);

/** Nothing is registered for the token. */
export class MissingRegistrationError extends Error {
  override readonly name: string = 'MissingRegistrationError';

  constructor(
    readonly token: string,
    /** Who asked for it, outermost first; empty when it was resolved directly. */
    readonly requestedBy: readonly string[],
  ) {
    super(`No registration for "${token}"${neededBy(requestedBy)}`);
  }
}

/** A service depends on itself, directly or through others: it could never be built. */
export class CircularDependencyError extends Error {
  override readonly name: string = 'CircularDependencyError';

  constructor(/** The cycle, starting and ending with the same service. */ readonly cycle: readonly string[]) {
    super(`Circular dependency: ${formatChain(cycle)}`);
  }
}

/**
 * A scoped service was resolved outside any scope. Scoped means "one per
 * request": from the root there is no request to tie it to, so the instance
 * would silently live as long as the process.
 */
export class ScopeRequiredError extends Error {
  override readonly name: string = 'ScopeRequiredError';

  constructor(
    readonly token: string,
    readonly requestedBy: readonly string[],
  ) {
    super(`"${token}" is scoped and cannot be resolved from the root container: create a scope${neededBy(requestedBy)}`);
  }
}

/**
 * A singleton depends, directly or through transients, on a scoped service.
 * The singleton would keep the first request's instance forever (a "captive
 * dependency"): one request's database session served to every later request,
 * used after that request closed it.
 */
export class CaptiveDependencyError extends Error {
  override readonly name: string = 'CaptiveDependencyError';

  constructor(/** From the singleton to the scoped service, each as "lifetime Name". */ readonly chain: readonly string[]) {
    super(`Captive dependency: ${formatChain(chain)} (a singleton cannot hold a scoped service)`);
  }
}

/** The scope (or the root container) was disposed: what it would hand out is already closed. */
export class ScopeDisposedError extends Error {
  override readonly name: string = 'ScopeDisposedError';

  constructor(
    readonly scopeId: string,
    readonly token: string,
  ) {
    super(`Cannot resolve "${token}": ${scopeId} is disposed`);
  }
}
