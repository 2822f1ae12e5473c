import { defineChecks, type CheckContext, type HttpClient, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { PoolEvent } from '../../../patterns/dependency-injection/app.ts';
import {
  ConnectionPoolT,
  DatabaseT,
  DbConnectionT,
  EmailSenderT,
  IdGeneratorT,
  registerApp,
  SignupHandlerT,
  UserRepositoryT,
  UserServiceT,
  withRequestScope,
} from '../../../patterns/dependency-injection/composition-root.ts';
import { Container } from '../../../patterns/dependency-injection/container.ts';
import type { Token } from '../../../patterns/dependency-injection/tokens.ts';

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Lets virtual time pass, 5 ms at a time, until `work` settles: the database answers between the
 * clock's steps, so a fixed advance could end before a statement does.
 */
const settle = async <T>(clock: VirtualClock, work: Promise<T>): Promise<T> => {
  let done = false;
  const end = () => void (done = true);
  work.then(end, end);
  for (let step = 0; !done && step < 1_000; step++) await clock.advance(5);
  return work;
};

/** The app wired by the composition root over the check's database; the email service takes `emailMs` of virtual time to answer. */
const makeApp = ({ clock, random, db }: CheckContext, emailMs = 0) => {
  const emailService: HttpClient = {
    async request() {
      if (emailMs > 0) await clock.sleep(emailMs);
      return { status: 202, headers: {}, body: {} };
    },
  };
  const container = registerApp(new Container(), { clock, random, emailService, emailSender: 'http', db, pool: { size: 5, acquireTimeoutMs: 1_000 } });
  /** Signs user `n` up in a request scope of its own; an error is returned as its text, not thrown. */
  const signUp = (n: number) =>
    withRequestScope(container, (scope) => scope.resolve(SignupHandlerT).handle({ email: `user-${n}@example.test`, name: `User ${n}` })).then(
      (response) => response.status,
      show,
    );
  return { container, signUp };
};

const TOKENS: Array<Token<unknown>> = [DatabaseT, ConnectionPoolT, DbConnectionT, UserRepositoryT, EmailSenderT, IdGeneratorT, UserServiceT, SignupHandlerT];

export default defineChecks([
  {
    task: 1,
    name: 'a sign-up answers 201',
    async run(context) {
      const { expect } = context;
      const { signUp } = makeApp(context);
      expect.equal(await signUp(1), 201, 'what a sign-up answered');
    },
  },
  {
    task: 1,
    name: 'every registered service resolves in a request scope: no singleton holds a scoped service',
    async run(context) {
      const { expect } = context;
      const { container } = makeApp(context);
      const scope = container.createScope();
      const errors: string[] = [];
      for (const token of TOKENS) {
        try {
          scope.resolve(token);
        } catch (error) {
          errors.push(`${token.name}: ${show(error)}`);
        }
      }
      await scope.dispose();
      expect.equal(errors, [], 'the services that failed to resolve in a scope');
    },
  },
  {
    task: 2,
    name: 'two sign-ups at once hold two connections, and both are given back when they end',
    async run(context) {
      const { clock, expect } = context;
      const { container, signUp } = makeApp(context, 50);
      const pool = container.resolve(ConnectionPoolT);
      const both = Promise.all([signUp(1), signUp(2)]);
      await clock.advance(10);
      expect.equal(pool.state.inUse, 2, 'connections in use while two sign-ups wait for the email service');
      expect.equal(await settle(clock, both), [201, 201], 'what the two sign-ups answered');
      expect.equal(pool.state.inUse, 0, 'connections in use once both sign-ups have ended');
    },
  },
  {
    task: 2,
    name: 'each sign-up leases exactly one connection, shared by everything in its request',
    async run(context) {
      const { expect } = context;
      const { container, signUp } = makeApp(context);
      const leases: string[] = [];
      container.resolve(ConnectionPoolT).onChange((e: PoolEvent) => {
        if (e.kind === 'leased') leases.push(e.connectionId);
      });
      for (const n of [1, 2, 3]) await signUp(n);
      expect.equal(leases.length, 3, `connections leased by three sign-ups one after another (leased: ${leases.join(', ') || 'none'})`);
    },
  },
  ...[
    { token: ConnectionPoolT as Token<unknown>, name: 'the connection pool', why: 'a pool per request is no pool at all' },
    { token: EmailSenderT as Token<unknown>, name: 'the email sender', why: 'it should be one sender (one HTTP client) for the app' },
  ].map(({ token, name, why }) => ({
    task: 3,
    name: `${name} is one for the whole app`,
    async run(context: CheckContext) {
      const { expect } = context;
      const { container } = makeApp(context);
      const a = container.createScope();
      const b = container.createScope();
      expect.ok(
        a.resolve(token) === b.resolve(token) && b.resolve(token) === container.resolve(token),
        `two scopes and the root got different ${token.name} instances: ${why}`,
      );
      await a.dispose();
      await b.dispose();
    },
  })),
]);
