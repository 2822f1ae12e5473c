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

/**
 * One resolve answered: which service, in which scope, and whether an existing
 * instance was handed out (`reused`) or a new one built. Nested resolves (a
 * factory asking for its dependencies) are reported too, with who asked.
 */
export interface ResolvedEvent {
  token: string;
  lifetime: Lifetime;
  /** The scope the resolve ran in: the request's scope, or `'root'` (from the container, or while building a singleton). */
  scopeId: string;
  /** An instance already built was handed out: a singleton or a scoped service seen before. Never for a transient. */
  reused: boolean;
  /** The service whose factory asked for this one; undefined for a resolve made directly. */
  requestedBy: string | undefined;
  /** How deep in the resolution: 0 for a direct resolve, 1 for its dependencies, … */
  depth: number;
  /** What was handed out. */
  instance: unknown;
}

/** A token was registered: for the first time, or `replaced` (an implementation swapped). */
export interface RegisteredEvent {
  token: string;
  lifetime: Lifetime;
  replaced: boolean;
}

/** One step of a resolution: which service, with which lifetime, asked for the next. */
interface Frame {
  token: Token<unknown>;
  lifetime: Lifetime;
  /**
   * Built already: the frame of an instance resolving lazily, after its factory returned. It
   * still counts for captive dependencies (a singleton holds what it resolves) but not for
   * cycles: only what is being built can be waiting for itself.
   */
  settled?: boolean;
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
  /** Set before the first disposer runs: nothing is created in it afterwards. */
  closed = false;
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
  readonly resolved = new Emitter<ResolvedEvent>();
  readonly registered = new Emitter<RegisteredEvent>();
  /** Every instance recorded by an owner: one that a factory forwarded from another registration is not recorded twice. */
  private readonly recorded = new WeakSet<object>();
  private scopes = 0;

  newOwner(): Owner {
    this.scopes += 1;
    return new Owner(`scope-${this.scopes}`);
  }

  resolve<T>(token: Token<T>, owner: Owner, chain: readonly Frame[]): T {
    const names = chain.map((frame) => frame.token.name);
    const registration = this.registrations.get(token) as Registration<T> | undefined;
    if (!registration) throw new MissingRegistrationError(token.name, names);

    const seen = chain.findIndex((frame) => frame.token === token && !frame.settled);
    if (seen >= 0) throw new CircularDependencyError([...names.slice(seen), token.name]);

    const frame: Frame = { token, lifetime: registration.lifetime };
    const path = [...chain, frame];
    switch (registration.lifetime) {
      case 'singleton':
        // A singleton and everything it creates belong to the root, whichever scope asked first.
        return this.getOrCreate(this.root, token, registration, path, owner);
      case 'scoped': {
        // Checked before "scoped from root": inside a singleton the owner is the root too,
        // and "captive" names the real mistake (the singleton), with the chain that shows it.
        const captor = chain.findIndex((f) => f.lifetime === 'singleton');
        if (captor >= 0) throw new CaptiveDependencyError(path.slice(captor).map(describeFrame));
        if (owner === this.root) throw new ScopeRequiredError(token.name, names);
        return this.getOrCreate(owner, token, registration, path, owner);
      }
      case 'transient': {
        // A transient held by a singleton is allowed: it was built for that singleton alone
        // and is owned by the root. Nothing shared is captured (unless it depends on a scoped
        // service, which is caught above). The root keeps every transient it owns until
        // shutdown, though: one resolved from the root, or by a singleton, per request piles up.
        const instance = this.create(owner, token, registration, path);
        this.report(token, registration.lifetime, owner, path, false, instance);
        return instance;
      }
    }
  }

  /** `owner` keeps the instance; `asking` is the scope the resolve ran in (they differ for a singleton). */
  private getOrCreate<T>(owner: Owner, token: Token<T>, registration: Registration<T>, path: Frame[], asking: Owner): T {
    const reused = owner.cache.has(registration);
    let instance: T;
    if (reused) {
      instance = owner.cache.get(registration) as T;
    } else {
      instance = this.create(owner, token, registration, path);
      owner.cache.set(registration, instance);
    }
    this.report(token, registration.lifetime, asking, path, reused, instance);
    return instance;
  }

  private report(token: Token<unknown>, lifetime: Lifetime, asking: Owner, path: readonly Frame[], reused: boolean, instance: unknown): void {
    const depth = path.length - 1;
    this.resolved.fire({
      token: token.name,
      lifetime,
      scopeId: asking.id,
      reused,
      requestedBy: path[depth - 1]?.token.name,
      depth,
      instance,
    });
  }

  private create<T>(owner: Owner, token: Token<T>, registration: Registration<T>, path: Frame[]): T {
    if (owner.closed) throw new ScopeDisposedError(owner.id, token.name);
    // While the factory runs, its resolves extend the live path: cycles and captives as they are built.
    let chain: readonly Frame[] = path;
    const resolver: Resolver = { resolve: (dependency) => this.resolve(dependency, owner, chain) };
    let instance: T;
    try {
      instance = registration.factory(resolver);
    } finally {
      // An instance that keeps the resolver resolves lazily later, on a chain of its own: from the
      // first singleton on (a singleton's instance does not belong to the request that happened to
      // build it first), its frames settled. Depth and parent stay for the graph.
      const captor = path.findIndex((frame) => frame.lifetime === 'singleton');
      chain = path.slice(Math.max(captor, 0)).map((frame) => ({ ...frame, settled: true }));
    }
    // A factory that forwards to another registration hands out an instance its real owner
    // has recorded already: recording it again would dispose it twice, or too early.
    const isObject = (typeof instance === 'object' && instance !== null) || typeof instance === 'function';
    if (isObject && this.recorded.has(instance as object)) return instance;
    if (isObject) this.recorded.add(instance as object);
    // Recorded after the factory returns, so dependencies come first and are disposed last.
    owner.created.push({ token, registration: registration as Registration<unknown>, instance });
    this.created.fire({ token: token.name, lifetime: registration.lifetime, scopeId: owner.id });
    return instance;
  }

  /** Disposes what `owner` created, newest first; once, however often it is called. */
  dispose(owner: Owner): Promise<void> {
    if (owner.disposing) return owner.disposing;
    // Closed before the first disposer runs: a disposer that resolves from its own scope gets
    // ScopeDisposedError, and one that calls dispose again gets this same promise (it must not
    // await it: the loop is waiting for that disposer).
    owner.closed = true;
    owner.disposing = Promise.resolve().then(async () => {
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
    });
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
    if (this.owner.closed) throw new ScopeDisposedError(this.owner.id, token.name);
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
  /** A resolve was answered, with a new instance or a reused one (after its dependencies, as `onCreated`). */
  readonly onResolved: Event<ResolvedEvent> = this.engine.resolved.event;
  /** A token was registered, or its registration replaced. */
  readonly onRegistered: Event<RegisteredEvent> = this.engine.registered.event;

  /**
   * Registers (or replaces) the service for `token`. Replacing swaps the
   * implementation for every consumer that resolves it afterwards, without
   * touching them; instances already created stay until their owner is disposed.
   */
  register<T>(token: Token<T>, registration: Registration<T>): this {
    if (registration.lifetime !== 'singleton' && registration.lifetime !== 'scoped' && registration.lifetime !== 'transient') {
      throw new TypeError(`"${token.name}": unknown lifetime ${JSON.stringify(registration.lifetime)} (singleton, scoped or transient)`);
    }
    if (typeof registration.factory !== 'function') throw new TypeError(`"${token.name}": the registration needs a factory function`);
    const replaced = this.engine.registrations.has(token);
    this.engine.registrations.set(token, registration as Registration<unknown>);
    this.engine.registered.fire({ token: token.name, lifetime: registration.lifetime, replaced });
    return this;
  }

  has(token: Token<unknown>): boolean {
    return this.engine.registrations.has(token);
  }

  /** Singletons and transients only: a scoped service needs a scope. */
  resolve<T>(token: Token<T>): T {
    if (this.engine.root.closed) throw new ScopeDisposedError('root', token.name);
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
      this.engine.resolved.dispose();
      this.engine.registered.dispose();
    }
  }
}
