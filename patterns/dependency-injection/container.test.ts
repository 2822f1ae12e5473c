import { describe, expect, it } from 'vitest';
import { Container, type InstanceEvent } from './container.ts';
import {
  CaptiveDependencyError,
  CircularDependencyError,
  MissingRegistrationError,
  ScopeDisposedError,
  ScopeRequiredError,
} from './errors.ts';
import { token } from './tokens.ts';

class Config {
  readonly url = 'db://test';
}
class DbSession {
  closed = false;
  constructor(readonly config: Config) {}
}
class UserRepository {
  constructor(readonly db: DbSession) {}
}
class Templates {}
class Mailer {
  constructor(readonly templates: Templates) {}
}

const ConfigT = token<Config>('Config');
const DbT = token<DbSession>('DbSession');
const RepoT = token<UserRepository>('UserRepository');
const TemplatesT = token<Templates>('Templates');
const MailerT = token<Mailer>('Mailer');

const makeContainer = (log: string[] = []) =>
  new Container()
    .register(ConfigT, { lifetime: 'singleton', factory: () => new Config(), dispose: () => void log.push('Config') })
    .register(DbT, {
      lifetime: 'scoped',
      factory: (r) => new DbSession(r.resolve(ConfigT)),
      dispose: (db) => {
        db.closed = true;
        log.push('DbSession');
      },
    })
    .register(RepoT, {
      lifetime: 'transient',
      factory: (r) => new UserRepository(r.resolve(DbT)),
      dispose: () => void log.push('UserRepository'),
    })
    .register(TemplatesT, { lifetime: 'transient', factory: () => new Templates() })
    .register(MailerT, { lifetime: 'singleton', factory: (r) => new Mailer(r.resolve(TemplatesT)) });

describe('lifetimes', () => {
  it('a singleton is one instance for the container, shared by every scope and the root', () => {
    const container = makeContainer();
    const a = container.createScope();
    const b = container.createScope();
    expect(a.resolve(ConfigT)).toBe(b.resolve(ConfigT));
    expect(a.resolve(ConfigT)).toBe(container.resolve(ConfigT));
  });

  it('a scoped service is one instance per scope, different across scopes', () => {
    const container = makeContainer();
    const a = container.createScope();
    const b = container.createScope();
    expect(a.resolve(DbT)).toBe(a.resolve(DbT));
    expect(a.resolve(DbT)).not.toBe(b.resolve(DbT));
  });

  it('a transient is new on every resolve, and shares its scope’s scoped dependencies', () => {
    const scope = makeContainer().createScope();
    const first = scope.resolve(RepoT);
    const second = scope.resolve(RepoT);
    expect(first).not.toBe(second);
    expect(first.db).toBe(second.db);
    expect(first.db).toBe(scope.resolve(DbT));
  });

  it('a singleton may hold a transient: it is built for it alone and lives as long as it', () => {
    const container = makeContainer();
    const mailer = container.createScope().resolve(MailerT);
    expect(mailer.templates).toBeInstanceOf(Templates);
    expect(container.resolve(MailerT).templates).toBe(mailer.templates);
  });
});

describe('disposal', () => {
  it('a scope disposes exactly what it created, newest first, and leaves singletons', async () => {
    const log: string[] = [];
    const container = makeContainer(log);
    const a = container.createScope();
    const b = container.createScope();
    a.resolve(RepoT); // creates Config (root), DbSession (a), UserRepository (a)
    a.resolve(RepoT); // a second UserRepository
    const dbB = b.resolve(DbT);

    await a.dispose();
    expect(log).toEqual(['UserRepository', 'UserRepository', 'DbSession']);
    expect(dbB.closed).toBe(false);

    await b.dispose();
    expect(log).toEqual(['UserRepository', 'UserRepository', 'DbSession', 'DbSession']);
    expect(dbB.closed).toBe(true);

    await container.dispose();
    expect(log.at(-1)).toBe('Config');
  });

  it('awaits async disposers one after another, in reverse creation order', async () => {
    const steps: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const A = token<object>('A');
    const B = token<object>('B');
    const container = new Container()
      .register(A, {
        lifetime: 'scoped',
        factory: () => ({}),
        dispose: () => void steps.push('A'),
      })
      .register(B, {
        lifetime: 'scoped',
        factory: (r) => ({ a: r.resolve(A) }),
        dispose: async () => {
          steps.push('B start');
          await gate;
          steps.push('B end');
        },
      });
    const scope = container.createScope();
    scope.resolve(B);
    let done = false;
    const disposing = scope.dispose().then(() => (done = true));
    await Promise.resolve();
    expect(steps).toEqual(['B start']);
    expect(done).toBe(false);
    release();
    await disposing;
    expect(steps).toEqual(['B start', 'B end', 'A']);
  });

  it('uses the instance’s own Symbol.asyncDispose, Symbol.dispose or dispose()', async () => {
    const calls: string[] = [];
    const Async = token<object>('Async');
    const Sync = token<object>('Sync');
    const Plain = token<object>('Plain');
    const container = new Container()
      .register(Async, {
        lifetime: 'scoped',
        factory: () => ({ [Symbol.asyncDispose]: async () => void calls.push('async') }),
      })
      .register(Sync, { lifetime: 'scoped', factory: () => ({ [Symbol.dispose]: () => void calls.push('sync') }) })
      .register(Plain, { lifetime: 'scoped', factory: () => ({ dispose: () => void calls.push('plain') }) });
    const scope = container.createScope();
    scope.resolve(Async);
    scope.resolve(Sync);
    scope.resolve(Plain);
    await scope.dispose();
    expect(calls).toEqual(['plain', 'sync', 'async']);
  });

  it('a failing disposer does not skip the others, and its error is reported', async () => {
    const calls: string[] = [];
    const A = token<object>('A');
    const B = token<object>('B');
    const container = new Container()
      .register(A, { lifetime: 'scoped', factory: () => ({}), dispose: () => void calls.push('A') })
      .register(B, {
        lifetime: 'scoped',
        factory: () => ({}),
        dispose: () => {
          throw new Error('boom');
        },
      });
    const scope = container.createScope();
    scope.resolve(A);
    scope.resolve(B);
    await expect(scope.dispose()).rejects.toThrow('boom');
    expect(calls).toEqual(['A']);
  });

  it('disposes once however often it is called, and refuses to resolve afterwards', async () => {
    const log: string[] = [];
    const scope = makeContainer(log).createScope();
    scope.resolve(DbT);
    await Promise.all([scope.dispose(), scope.dispose()]);
    await scope.dispose();
    expect(log).toEqual(['DbSession']);
    expect(() => scope.resolve(DbT)).toThrow(ScopeDisposedError);
  });
});

describe('wiring errors', () => {
  it('a missing registration names the token and the chain that asked for it', () => {
    const Clock = token<object>('Clock');
    const Service = token<object>('UserService');
    const container = makeContainer().register(Service, {
      lifetime: 'scoped',
      factory: (r) => ({ repo: r.resolve(RepoT), clock: r.resolve(Clock) }),
    });
    const scope = container.createScope();
    expect(() => scope.resolve(Clock)).toThrow('No registration for "Clock"');
    let error: unknown;
    try {
      scope.resolve(Service);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingRegistrationError);
    expect((error as Error).message).toBe('No registration for "Clock" (needed by UserService)');
  });

  it('names a missing dependency several levels down with the whole chain', () => {
    const Missing = token<object>('Missing');
    const Top = token<object>('Top');
    const container = new Container()
      .register(Top, { lifetime: 'transient', factory: (r) => r.resolve(RepoT) })
      .register(RepoT, { lifetime: 'transient', factory: (r) => r.resolve(Missing) as UserRepository });
    expect(() => container.resolve(Top)).toThrow('No registration for "Missing" (needed by Top → UserRepository)');
  });

  it('a cycle is an error naming the cycle', () => {
    const A = token<object>('A');
    const B = token<object>('B');
    const C = token<object>('C');
    const container = new Container()
      .register(A, { lifetime: 'transient', factory: (r) => ({ b: r.resolve(B) }) })
      .register(B, { lifetime: 'singleton', factory: (r) => ({ c: r.resolve(C) }) })
      .register(C, { lifetime: 'transient', factory: (r) => ({ b: r.resolve(B) }) });
    expect(() => container.resolve(A)).toThrow(CircularDependencyError);
    expect(() => container.resolve(A)).toThrow('Circular dependency: B → C → B');
  });

  it('resolving a scoped service from the root is an error, directly or through a transient', () => {
    const container = makeContainer();
    expect(() => container.resolve(DbT)).toThrow(ScopeRequiredError);
    expect(() => container.resolve(RepoT)).toThrow(
      '"DbSession" is scoped and cannot be resolved from the root container: create a scope (needed by UserRepository)',
    );
  });

  it('a singleton depending on a scoped service is a captive dependency, named with its chain', () => {
    const CaptiveMailer = token<object>('Mailer');
    const container = makeContainer().register(CaptiveMailer, {
      lifetime: 'singleton',
      factory: (r) => ({ db: r.resolve(DbT) }),
    });
    const scope = container.createScope();
    expect(() => scope.resolve(CaptiveMailer)).toThrow(CaptiveDependencyError);
    expect(() => scope.resolve(CaptiveMailer)).toThrow('singleton Mailer → scoped DbSession');
    // From the root too: "captive" names the real mistake, not "no scope".
    expect(() => container.resolve(CaptiveMailer)).toThrow(CaptiveDependencyError);
  });

  it('catches a captive dependency reached through a transient', () => {
    const Mailer2 = token<object>('Mailer');
    const container = makeContainer().register(Mailer2, {
      lifetime: 'singleton',
      factory: (r) => ({ repo: r.resolve(RepoT) }),
    });
    let error: unknown;
    try {
      container.createScope().resolve(Mailer2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CaptiveDependencyError);
    expect((error as CaptiveDependencyError).chain).toEqual([
      'singleton Mailer',
      'transient UserRepository',
      'scoped DbSession',
    ]);
  });
});

describe('re-registration', () => {
  it('swaps the implementation for consumers without touching them', () => {
    class FakeDb extends DbSession {}
    const container = makeContainer();
    const before = container.createScope().resolve(RepoT);
    container.register(DbT, { lifetime: 'scoped', factory: (r) => new FakeDb(r.resolve(ConfigT)) });
    const after = container.createScope().resolve(RepoT);
    expect(before.db).not.toBeInstanceOf(FakeDb);
    expect(after.db).toBeInstanceOf(FakeDb);
  });

  it('a replaced singleton is built anew; the old one is still disposed with the root', async () => {
    const log: string[] = [];
    const container = makeContainer(log);
    const old = container.resolve(ConfigT);
    container.register(ConfigT, { lifetime: 'singleton', factory: () => new Config(), dispose: () => void log.push('new') });
    expect(container.resolve(ConfigT)).not.toBe(old);
    await container.dispose();
    expect(log).toEqual(['new', 'Config']);
  });
});

describe('events', () => {
  it('reports each instance created and disposed with its token, lifetime and scope', async () => {
    const container = makeContainer();
    const created: InstanceEvent[] = [];
    const disposed: InstanceEvent[] = [];
    container.onCreated((e) => created.push(e));
    container.onDisposed((e) => disposed.push(e));

    const a = container.createScope();
    const b = container.createScope();
    a.resolve(RepoT);
    a.resolve(DbT); // reused: no event
    b.resolve(DbT);
    expect(created).toEqual([
      { token: 'Config', lifetime: 'singleton', scopeId: 'root' },
      { token: 'DbSession', lifetime: 'scoped', scopeId: a.id },
      { token: 'UserRepository', lifetime: 'transient', scopeId: a.id },
      { token: 'DbSession', lifetime: 'scoped', scopeId: b.id },
    ]);
    expect(a.id).not.toBe(b.id);

    await a.dispose();
    expect(disposed).toEqual([
      { token: 'UserRepository', lifetime: 'transient', scopeId: a.id },
      { token: 'DbSession', lifetime: 'scoped', scopeId: a.id },
    ]);
  });

  it('unsubscribes when the subscription is disposed', () => {
    const container = makeContainer();
    const created: InstanceEvent[] = [];
    container.onCreated((e) => created.push(e)).dispose();
    container.resolve(ConfigT);
    expect(created).toEqual([]);
  });
});

describe('onResolved', () => {
  it('reports every resolve, nested ones with who asked, and whether the instance was reused', () => {
    const container = makeContainer();
    const resolved: string[] = [];
    container.onResolved((e) => resolved.push(`${e.scopeId} ${'  '.repeat(e.depth)}${e.lifetime} ${e.token}${e.reused ? ' (reused)' : ''}${e.requestedBy ? ` for ${e.requestedBy}` : ''}`));
    const scope = container.createScope();
    scope.resolve(RepoT);
    scope.resolve(RepoT);
    scope.resolve(MailerT);
    expect(resolved).toEqual([
      // Dependencies are reported before their dependents: the dependent is complete last.
      `${scope.id}     singleton Config for DbSession`,
      `${scope.id}   scoped DbSession for UserRepository`,
      `${scope.id} transient UserRepository`,
      `${scope.id}   scoped DbSession (reused) for UserRepository`,
      `${scope.id} transient UserRepository`,
      // A singleton is built in the root: its own dependencies are resolved there.
      'root   transient Templates for Mailer',
      `${scope.id} singleton Mailer`,
    ]);
  });
});

describe('registration', () => {
  it('reports each registration, and a replaced one as replaced', () => {
    const registered: string[] = [];
    const container = new Container();
    container.onRegistered((e) => registered.push(`${e.lifetime} ${e.token}${e.replaced ? ' (replaced)' : ''}`));
    container.register(ConfigT, { lifetime: 'singleton', factory: () => new Config() });
    container.register(ConfigT, { lifetime: 'singleton', factory: () => new Config() });
    expect(registered).toEqual(['singleton Config', 'singleton Config (replaced)']);
  });

  it('refuses a registration without a known lifetime or a factory, naming the token', () => {
    const container = new Container();
    expect(() => container.register(ConfigT, { lifetime: 'request' as 'scoped', factory: () => new Config() })).toThrow(
      '"Config": unknown lifetime "request" (singleton, scoped or transient)',
    );
    expect(() => container.register(ConfigT, { lifetime: 'singleton' } as never)).toThrow('"Config": the registration needs a factory function');
    expect(container.has(ConfigT)).toBe(false);
  });
});

describe('lazy resolves from a singleton', () => {
  interface Lazy {
    later: () => unknown;
  }
  const ScopedT = token<object>('Scoped');
  const TransientT = token<object>('Transient');
  const LazyT = token<Lazy>('LazySingleton');

  it('a scoped service resolved lazily by a singleton a scope built is captive, named with its chain', () => {
    const container = new Container()
      .register(LazyT, { lifetime: 'singleton', factory: (r) => ({ later: () => r.resolve(ScopedT) }) })
      .register(ScopedT, { lifetime: 'scoped', factory: (r) => ({ lazy: r.resolve(LazyT) }) });
    // A request built the singleton, through its own scoped service.
    const { lazy } = container.createScope().resolve(ScopedT) as { lazy: Lazy };
    const error = (() => {
      try {
        lazy.later();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CaptiveDependencyError);
    expect((error as CaptiveDependencyError).chain).toEqual(['singleton LazySingleton', 'scoped Scoped']);
  });

  it('a transient resolved lazily by a singleton works, whether a scope or the root built the singleton', () => {
    for (const builtBy of ['scope', 'root'] as const) {
      const container = new Container()
        .register(LazyT, { lifetime: 'singleton', factory: (r) => ({ later: () => r.resolve(TransientT) }) })
        .register(TransientT, { lifetime: 'transient', factory: (r) => ({ lazy: r.resolve(LazyT) }) })
        .register(ScopedT, { lifetime: 'scoped', factory: (r) => ({ transient: r.resolve(TransientT) }) });
      const lazy =
        builtBy === 'scope'
          ? ((container.createScope().resolve(ScopedT) as { transient: { lazy: Lazy } }).transient.lazy)
          : container.resolve(LazyT);
      const made = lazy.later() as { lazy: Lazy };
      expect(made.lazy, builtBy).toBe(lazy);
    }
  });

  it('a cycle while the singleton is being built is still a cycle', () => {
    const container = new Container()
      .register(LazyT, { lifetime: 'singleton', factory: (r) => ({ later: () => r.resolve(TransientT), now: r.resolve(TransientT) }) })
      .register(TransientT, { lifetime: 'transient', factory: (r) => ({ lazy: r.resolve(LazyT) }) });
    expect(() => container.createScope().resolve(LazyT)).toThrow(CircularDependencyError);
  });
});

describe('forwarding registrations', () => {
  it('an instance forwarded from another registration is recorded, and disposed, once, by its real owner', async () => {
    let disposed = 0;
    const Shared = token<{ dispose(): void }>('Shared');
    const Alias = token<{ dispose(): void }>('Alias');
    const container = new Container()
      .register(Shared, { lifetime: 'singleton', factory: () => ({ dispose: () => void (disposed += 1) }) })
      .register(Alias, { lifetime: 'transient', factory: (r) => r.resolve(Shared) });
    const created: InstanceEvent[] = [];
    container.onCreated((e) => created.push(e));
    const scope = container.createScope();
    expect(scope.resolve(Alias)).toBe(container.resolve(Shared));
    await scope.dispose();
    expect(disposed).toBe(0);
    expect(created).toEqual([{ token: 'Shared', lifetime: 'singleton', scopeId: 'root' }]);
    await container.dispose();
    expect(disposed).toBe(1);
  });
});

describe('a scope being disposed', () => {
  it('is closed before its first disposer runs: a disposer can neither resolve from it nor start a second disposal', async () => {
    const container = new Container();
    const scope = container.createScope();
    const calls: string[] = [];
    let resolveError: unknown;
    const Late = token<object>('Late');
    const Closer = token<object>('Closer');
    container
      .register(Late, { lifetime: 'scoped', factory: () => ({}) })
      .register(Closer, {
        lifetime: 'scoped',
        factory: () => ({}),
        dispose: () => {
          calls.push('Closer');
          try {
            scope.resolve(Late);
          } catch (error) {
            resolveError = error;
          }
          void scope.dispose();
        },
      });
    scope.resolve(Closer);
    await scope.dispose();
    expect(calls).toEqual(['Closer']);
    expect(resolveError).toBeInstanceOf(ScopeDisposedError);
  });
});
