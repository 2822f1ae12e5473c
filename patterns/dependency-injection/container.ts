/**
 * A dependency-injection container: services are registered once, by typed
 * token, with a factory and a lifetime, and resolved where they are needed.
 *
 * - `singleton`: one instance for the container's life, owned by the root.
 * - `scoped`: one instance per scope (per request), disposed with the scope.
 * - `transient`: a new instance per resolve, disposed by whoever owns the
 *   resolve (the scope, or the root when a singleton needed it).
 *
 * The widely copied Python version ties cleanup to a generator's `finally`
 * per dependency; here a scope records what it created and disposes it, in
 * reverse creation order, when the request ends: dependents before what they
 * depend on, async disposers awaited, one failure not skipping the rest.
 */
import { Emitter, type Event } from '../kit/index.ts';
import {
  CaptiveDependencyError,
  CircularDependencyError,
  MissingRegistrationError,
  ScopeDisposedError,
  ScopeRequiredError,
} from './errors.ts';
import type { Token } from './tokens.ts';

export type Lifetime = 'singleton' | 'scoped' | 'transient';

/** What a factory receives: resolve its own dependencies, during construction. */
export interface Resolver {
  resolve<T>(token: Token<T>): T;
}

export interface Registration<T> {
  lifetime: Lifetime;
  /** Builds the instance; resolve dependencies through `resolver`, not a container captured elsewhere. */
  factory: (resolver: Resolver) => T;
  /**
   * Releases the instance. Without it, the container calls the instance's own
   * `Symbol.asyncDispose`, `Symbol.dispose` or `dispose()` if it has one.
   */
  dispose?: (instance: T) => void | Promise<void>;
}

/** One instance created or disposed: enough for a lab to draw instances per request. */
export interface InstanceEvent {
  /** The token's name. */
  token: string;
  lifetime: Lifetime;
  /** `'root'` for the container itself, `'scope-1'`, `'scope-2'`, … for scopes. */
  scopeId: string;
}

/** One step of a resolution: which service, with which lifetime, asked for the next. */
interface Frame {
  token: Token<unknown>;
  lifetime: Lifetime;
}

interface Created {
  token: Token<unknown>;
  registration: Registration<unknown>;
  instance: unknown;
}

/** Where instances live: the root (singletons) or one scope. */
class Owner {
  /** Keyed by registration, so re-registering a token gives new instances without evicting live ones. */
  readonly cache = new Map<object, unknown>();
  /** In creation order; disposed in reverse. */
  created: Created[] = [];
  disposing: Promise<void> | undefined;

  constructor(readonly id: string) {}
}

const describeFrame = (frame: Frame): string => `${frame.lifetime} ${frame.token.name}`;

/** Calls the registration's disposer, or the instance's own dispose method. */
const disposeInstance = async ({ instance, registration }: Created): Promise<void> => {
  if (registration.dispose) return registration.dispose(instance);
  if (typeof instance !== 'object' || instance === null) return;
  const candidate = instance as {
    [Symbol.asyncDispose]?: () => Promise<void>;
    [Symbol.dispose]?: () => void;
    dispose?: () => void | Promise<void>;
  };
  if (typeof candidate[Symbol.asyncDispose] === 'function') return candidate[Symbol.asyncDispose]!();
  if (typeof candidate[Symbol.dispose] === 'function') return candidate[Symbol.dispose]!();
  if (typeof candidate.dispose === 'function') return candidate.dispose();
};

/** The resolution rules, shared by the root container and its scopes. */
class Engine {
  readonly registrations = new Map<Token<unknown>, Registration<unknown>>();
  readonly root = new Owner('root');
  readonly created = new Emitter<InstanceEvent>();
  readonly disposed = new Emitter<InstanceEvent>();
  private scopes = 0;

  newOwner(): Owner {
    this.scopes += 1;
    return new Owner(`scope-${this.scopes}`);
  }

  resolve<T>(token: Token<T>, owner: Owner, chain: readonly Frame[]): T {
    const names = chain.map((frame) => frame.token.name);
    const registration = this.registrations.get(token) as Registration<T> | undefined;
    if (!registration) throw new MissingRegistrationError(token.name, names);

    const seen = chain.findIndex((frame) => frame.token === token);
    if (seen >= 0) throw new CircularDependencyError([...names.slice(seen), token.name]);

    const frame: Frame = { token, lifetime: registration.lifetime };
    const path = [...chain, frame];
    switch (registration.lifetime) {
      case 'singleton':
        // A singleton and everything it creates belong to the root, whichever scope asked first.
        return this.getOrCreate(this.root, token, registration, path);
      case 'scoped': {
        // Checked before "scoped from root": inside a singleton the owner is the root too,
        // and "captive" names the real mistake (the singleton), with the chain that shows it.
        const captor = chain.findIndex((f) => f.lifetime === 'singleton');
        if (captor >= 0) throw new CaptiveDependencyError(path.slice(captor).map(describeFrame));
        if (owner === this.root) throw new ScopeRequiredError(token.name, names);
        return this.getOrCreate(owner, token, registration, path);
      }
      case 'transient':
        // A transient held by a singleton is allowed: it was built for that singleton alone
        // and is owned by the root, so it lives exactly as long as its holder. Nothing
        // shared is captured (unless it depends on a scoped service, which is caught above).
        return this.create(owner, token, registration, path);
    }
  }

  private getOrCreate<T>(owner: Owner, token: Token<T>, registration: Registration<T>, path: Frame[]): T {
    if (owner.cache.has(registration)) return owner.cache.get(registration) as T;
    const instance = this.create(owner, token, registration, path);
    owner.cache.set(registration, instance);
    return instance;
  }

  private create<T>(owner: Owner, token: Token<T>, registration: Registration<T>, path: Frame[]): T {
    if (owner.disposing) throw new ScopeDisposedError(owner.id, token.name);
    const resolver: Resolver = { resolve: (dependency) => this.resolve(dependency, owner, path) };
    const instance = registration.factory(resolver);
    // Recorded after the factory returns, so dependencies come first and are disposed last.
    owner.created.push({ token, registration: registration as Registration<unknown>, instance });
    this.created.fire({ token: token.name, lifetime: registration.lifetime, scopeId: owner.id });
    return instance;
  }

  /** Disposes what `owner` created, newest first; once, however often it is called. */
  dispose(owner: Owner): Promise<void> {
    owner.disposing ??= (async () => {
      const errors: unknown[] = [];
      for (const entry of owner.created.slice().reverse()) {
        try {
          await disposeInstance(entry);
        } catch (error) {
          errors.push(error);
        }
        this.disposed.fire({ token: entry.token.name, lifetime: entry.registration.lifetime, scopeId: owner.id });
      }
      owner.created = [];
      owner.cache.clear();
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `several disposers failed in ${owner.id}`);
    })();
    return owner.disposing;
  }
}

/** One unit of work (typically one request): scoped services are shared within it. */
export class Scope implements Resolver {
  constructor(
    private readonly engine: Engine,
    private readonly owner: Owner,
  ) {}

  get id(): string {
    return this.owner.id;
  }

  resolve<T>(token: Token<T>): T {
    if (this.owner.disposing) throw new ScopeDisposedError(this.owner.id, token.name);
    return this.engine.resolve(token, this.owner, []);
  }

  /** Disposes the scoped and transient instances this scope created, newest first. Singletons stay. */
  dispose(): Promise<void> {
    return this.engine.dispose(this.owner);
  }
}

export class Container implements Resolver {
  private readonly engine = new Engine();

  /** An instance was created: `scopeId` is the scope that owns it (`'root'` for singletons). */
  readonly onCreated: Event<InstanceEvent> = this.engine.created.event;
  /** An instance was disposed (its disposer was called, whether or not it threw). */
  readonly onDisposed: Event<InstanceEvent> = this.engine.disposed.event;

  /**
   * Registers (or replaces) the service for `token`. Replacing swaps the
   * implementation for every consumer that resolves it afterwards, without
   * touching them; instances already created stay until their owner is disposed.
   */
  register<T>(token: Token<T>, registration: Registration<T>): this {
    this.engine.registrations.set(token, registration as Registration<unknown>);
    return this;
  }

  has(token: Token<unknown>): boolean {
    return this.engine.registrations.has(token);
  }

  /** Singletons and transients only: a scoped service needs a scope. */
  resolve<T>(token: Token<T>): T {
    if (this.engine.root.disposing) throw new ScopeDisposedError('root', token.name);
    return this.engine.resolve(token, this.engine.root, []);
  }

  createScope(): Scope {
    return new Scope(this.engine, this.engine.newOwner());
  }

  /**
   * Disposes the singletons (and transients resolved from the root), newest
   * first. Open scopes are their owners' to dispose: the root does not track them.
   */
  async dispose(): Promise<void> {
    try {
      await this.engine.dispose(this.engine.root);
    } finally {
      this.engine.created.dispose();
      this.engine.disposed.dispose();
    }
  }
}
