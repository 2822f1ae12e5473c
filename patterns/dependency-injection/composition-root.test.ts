import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom, VirtualClock, type HttpClient } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { FakeEmailSender, HttpEmailSender, UserService } from './app.ts';
import {
  ConnectionPoolT,
  EmailSenderT,
  IdGeneratorT,
  registerApp,
  SignupHandlerT,
  UserRepositoryT,
  UserServiceT,
  useEmailSender,
  withRequestScope,
} from './composition-root.ts';
import { Container } from './container.ts';
import { CaptiveDependencyError } from './errors.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

const makeApp = (status = 202) => {
  const clock = new VirtualClock();
  const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined });
  opened.push(db);
  const sent: unknown[] = [];
  const emailService: HttpClient = {
    async request({ body }) {
      sent.push(body);
      return { status, headers: {}, body: {} };
    },
  };
  const container = registerApp(new Container(), {
    clock,
    random: new SeededRandom(1),
    emailService,
    emailSender: 'http',
    db,
    pool: { size: 2, acquireTimeoutMs: 100 },
  });
  const signUp = (n: number) =>
    withRequestScope(container, (scope) => scope.resolve(SignupHandlerT).handle({ email: `user-${n}@example.test`, name: `User ${n}` }));
  return { clock, db, container, emailService, sent, signUp, pool: container.resolve(ConnectionPoolT) };
};

describe('the composition root', () => {
  it('signs a user up into the users table, and refuses the same email twice', async () => {
    const { signUp, sent, db } = makeApp();
    await expect(signUp(1)).resolves.toMatchObject({ status: 201, user: { id: 1, email: 'user-1@example.test', version: 1 } });
    await expect(signUp(1)).resolves.toEqual({ status: 409, error: 'user-1@example.test is already signed up' });
    expect(sent).toEqual([{ id: expect.stringMatching(/^msg-[0-9a-f]{8}$/), to: 'user-1@example.test', template: 'welcome', name: 'User 1' }]);
    expect(await db.all('SELECT email, name FROM users')).toEqual([{ email: 'user-1@example.test', name: 'User 1' }]);
  });

  it('disposes the request scope when the work fails, so the connection goes back', async () => {
    const { signUp, pool } = makeApp(503);
    await expect(signUp(1)).rejects.toThrow('the email service answered 503');
    expect(pool.state.inUse).toBe(0);
  });

  it('swaps the email sender for later requests; the consumer is untouched', async () => {
    const { container, emailService, signUp, sent } = makeApp();
    expect(container.resolve(EmailSenderT)).toBeInstanceOf(HttpEmailSender);
    useEmailSender(container, 'fake', { emailService });
    await signUp(1);
    expect(sent).toEqual([]);
    const fake = container.resolve(EmailSenderT) as FakeEmailSender;
    expect(fake).toBeInstanceOf(FakeEmailSender);
    expect(fake.outbox.map((m) => m.to)).toEqual(['user-1@example.test']);
    expect(() => useEmailSender(container, 'smtp' as 'fake', { emailService })).toThrow(`unknown email sender "smtp": use 'http' or 'fake'`);
  });

  it('a singleton UserService would be a captive dependency: the container refuses it, naming the chain', async () => {
    const { container, signUp } = makeApp();
    container.register(UserServiceT, {
      lifetime: 'singleton',
      factory: (r) => new UserService(r.resolve(UserRepositoryT), r.resolve(EmailSenderT), r.resolve(IdGeneratorT)),
    });
    const error = await signUp(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptiveDependencyError);
    expect((error as Error).message).toBe('Captive dependency: singleton UserService → scoped UserRepository (a singleton cannot hold a scoped service)');
  });
});
