import { defineChecks, type CheckContext, type HttpClient } from '../../../patterns/kit/index.ts';
import { EmailFailedError } from '../../../patterns/dependency-injection/app.ts';
import {
  ConnectionPoolT,
  registerApp,
  SignupHandlerT,
  UserRepositoryT,
  withRequestScope,
} from '../../../patterns/dependency-injection/composition-root.ts';
import { Container } from '../../../patterns/dependency-injection/container.ts';
import { token } from '../../../patterns/dependency-injection/tokens.ts';

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * The app wired by the composition root over the check's database, with a pool of `poolSize`
 * connections (a caller waits 100 ms for one) and an email service that
 * answers each call with the next of `statuses` (202 once they run out).
 */
const makeApp = ({ clock, random, db }: CheckContext, { poolSize = 2, statuses = [] as number[] } = {}) => {
  const emailService: HttpClient = {
    async request() {
      return { status: statuses.shift() ?? 202, headers: {}, body: {} };
    },
  };
  const container = registerApp(new Container(), { clock, random, emailService, emailSender: 'http', db, pool: { size: poolSize, acquireTimeoutMs: 100 } });
  const pool = container.resolve(ConnectionPoolT);
  // What each scope created and disposed, counted from the container's own events.
  const created = new Map<string, number>();
  const disposed = new Map<string, number>();
  container.onCreated((e) => void (e.scopeId !== 'root' && created.set(e.scopeId, (created.get(e.scopeId) ?? 0) + 1)));
  container.onDisposed((e) => void (e.scopeId !== 'root' && disposed.set(e.scopeId, (disposed.get(e.scopeId) ?? 0) + 1)));
  const undisposed = () => [...created].flatMap(([scope, n]) => (n === (disposed.get(scope) ?? 0) ? [] : [`${scope}: ${n - (disposed.get(scope) ?? 0)} of ${n}`]));
  /** Signs user `n` up in a request scope of its own, letting 200 ms of virtual time pass; the status or the error's text. */
  const signUp = async (n: number) => {
    const answer = withRequestScope(container, (scope) =>
      scope.resolve(SignupHandlerT).handle({ email: `user-${n}@example.test`, name: `User ${n}` }),
    ).then((response) => response.status, show);
    await clock.advance(200);
    return answer;
  };
  return { container, pool, signUp, undisposed };
};

export default defineChecks([
  {
    task: 1,
    name: 'a sign-up whose email fails still gives its connection back',
    async run(context) {
      const { expect } = context;
      const { pool, signUp, undisposed } = makeApp(context, { statuses: [503] });
      expect.equal(await signUp(1), 'EmailFailedError: the email service answered 503', 'what a sign-up answered while the email service answered 503');
      expect.equal(pool.state.inUse, 0, 'connections still leased after the failed sign-up ended');
      expect.equal(undisposed(), [], 'scopes that did not dispose everything they created (scope: undisposed of created)');
    },
  },
  {
    task: 1,
    name: 'failed sign-ups never drain the pool: after ten failures the next sign-up succeeds',
    async run(context) {
      const { expect } = context;
      const { signUp } = makeApp(context, { poolSize: 2, statuses: Array.from({ length: 10 }, () => 503) });
      const answers: Array<number | string> = [];
      for (let n = 1; n <= 11; n++) answers.push(await signUp(n));
      expect.equal(
        answers.at(-1),
        201,
        `what the 11th sign-up answered, once the email service was back (a pool of 2; all 11 answers: ${answers.map((a) => String(a).split(':')[0]).join(', ')})`,
      );
    },
  },
  {
    task: 1,
    name: "the work's error still reaches the caller",
    async run(context) {
      const { clock, expect } = context;
      const { container } = makeApp(context, { statuses: [500] });
      const failing = withRequestScope(container, (scope) => scope.resolve(SignupHandlerT).handle({ email: 'a@example.test', name: 'A' }));
      failing.catch(() => undefined);
      await clock.advance(200);
      await expect.rejects(
        () => failing,
        'withRequestScope, for a sign-up whose email failed',
        (error) => error instanceof EmailFailedError && error.status === 500,
      );
    },
  },
  {
    task: 1,
    name: 'a service that cannot be built: what was built before it is disposed all the same',
    async run(context) {
      const { clock, expect } = context;
      const { container, pool, undisposed } = makeApp(context);
      const Broken = token<object>('ReportingService');
      container.register(Broken, {
        lifetime: 'scoped',
        factory: () => {
          throw new Error('REPORTING_URL is not set');
        },
      });
      const failing = withRequestScope(container, async (scope) => {
        await scope.resolve(UserRepositoryT).findByEmail('a@example.test'); // leases the request's connection
        return scope.resolve(Broken);
      });
      failing.catch(() => undefined);
      await clock.advance(200);
      await expect.rejects(() => failing, 'withRequestScope, when a service of the request cannot be built');
      expect.equal(pool.state.inUse, 0, 'connections still leased after the request failed');
      expect.equal(undisposed(), [], 'scopes that did not dispose everything they created (scope: undisposed of created)');
    },
  },
  {
    task: 2,
    name: "the request's connection is back in the pool when withRequestScope resolves",
    async run(context) {
      const { clock, expect } = context;
      const { container, pool } = makeApp(context);
      let inUseAtAnswer: number | undefined;
      const answered = withRequestScope(container, (scope) => scope.resolve(SignupHandlerT).handle({ email: 'a@example.test', name: 'A' })).then(
        (response) => {
          inUseAtAnswer = pool.state.inUse;
          return response.status;
        },
      );
      await clock.advance(200);
      expect.equal(await answered, 201, 'what the sign-up answered');
      expect.equal(inUseAtAnswer, 0, 'connections still leased at the moment withRequestScope resolved');
    },
  },
  {
    task: 2,
    name: 'withRequestScope resolves only after every disposer has finished, even a slow one',
    async run(context) {
      const { clock, expect } = context;
      const { container } = makeApp(context);
      // An audit log that takes 20 ms to flush when its request's scope is disposed.
      let flushedAt: number | undefined;
      const AuditLog = token<{ entries: string[] }>('AuditLog');
      container.register(AuditLog, {
        lifetime: 'scoped',
        factory: () => ({ entries: [] }),
        dispose: async () => {
          await clock.sleep(20);
          flushedAt = clock.now();
        },
      });
      let answeredAt: number | undefined;
      const answered = withRequestScope(container, async (scope) => {
        scope.resolve(AuditLog).entries.push('signed up');
        return 'done';
      }).then(() => (answeredAt = clock.now()));
      await clock.advance(200);
      await answered;
      if (flushedAt === undefined) return expect.fail('the audit log was never flushed: its scope was not disposed');
      expect.ok(
        answeredAt !== undefined && answeredAt >= flushedAt,
        `withRequestScope resolved at ${answeredAt} ms, before the audit log finished flushing at ${flushedAt} ms`,
      );
    },
  },
]);
