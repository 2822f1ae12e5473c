/**
 * Typed tokens: the key a service is registered and resolved by.
 *
 * A token is an object, not a string, so two services with the same name never
 * collide, and it carries the service's type so `resolve(UserRepo)` is typed
 * without a cast at the call site. The name is only for messages and events.
 */
export class Token<T> {
  /** Never set: it only ties the token to the type it resolves to. */
  declare readonly type: T;

  constructor(readonly name: string) {}

  toString(): string {
    return this.name;
  }
}

/** `const Db = token<DbSession>('DbSession')`. */
export const token = <T>(name: string): Token<T> => new Token<T>(name);
