import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type TelemetryInput } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { EmailTaken, InvalidInput, UserNotFound } from './errors.ts';
import { SqlUnitOfWork, SqlUserRepository, USERS_SCHEMA } from './repository.ts';
import { userRoutes } from './routes.ts';
import { UserService } from './user-service.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** The service over the engine's own database in memory, on virtual time, with an email check of `checkMs`. */
const setUp = async (checkMs = 40) => {
  const clock = new VirtualClock();
  const statements: string[] = [];
  const db = new RunDatabase({
    connection: memoryDatabase(),
    clock,
    emit: (e: TelemetryInput) => void (e.type === 'sql' && statements.push(e.statement.split(/\s/)[0]!)),
  });
  opened.push(db);
  await db.exec(USERS_SCHEMA);
  statements.length = 0;
  const service = new UserService({
    users: new SqlUserRepository(db, clock),
    unitOfWork: new SqlUnitOfWork(db, clock),
    emailCheck: { deliverable: async (email) => (await clock.sleep(checkMs), !email.endsWith('.invalid')) },
  });
  /** Runs `work` while virtual time passes, until it settles. */
  const settle = async <T>(work: Promise<T>): Promise<T> => {
    let done = false;
    const end = () => void (done = true);
    work.then(end, end);
    while (!done) await clock.advance(5);
    return work;
  };
  const count = async () => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))!.n;
  return { clock, db, service, settle, statements, count };
};

describe('UserService', () => {
  it('signs a user up with the address normalized, stamped on the clock, at version 1', async () => {
    const { service, settle } = await setUp();
    const ada = await settle(service.signUp({ email: '  Ada@Example.COM ', name: ' Ada ' }));
    // Inserted once the 40 ms email check was done.
    expect(ada).toEqual({ id: 1, email: 'ada@example.com', name: 'Ada', version: 1, createdAt: VirtualClock.DEFAULT_WALL_START + 40 });
    expect(await service.getUser(1)).toEqual(ada);
  });

  it('refuses a taken address however it is typed, at the look-up, without checking or inserting it', async () => {
    const { service, settle, statements, count } = await setUp();
    await settle(service.signUp({ email: 'ada@example.com', name: 'Ada' }));
    statements.length = 0;
    await expect(settle(service.signUp({ email: 'ADA@example.com', name: 'Ada' }))).rejects.toBeInstanceOf(EmailTaken);
    expect(statements).toEqual(['SELECT']);
    expect(await count()).toBe(1);
  });

  it('lets exactly one of five concurrent sign-ups for one address in: the constraint refuses the rest as EmailTaken', async () => {
    const { service, settle, count } = await setUp();
    const results = await settle(Promise.allSettled([1, 2, 3, 4, 5].map((n) => service.signUp({ email: 'ada@example.com', name: `Ada ${n}` }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toHaveLength(4);
    expect(refused.every((e) => e instanceof EmailTaken && e.email === 'ada@example.com')).toBe(true);
    expect(await count()).toBe(1);
  });

  it.each([
    [{ email: 'ada-at-example.com', name: 'Ada' }, 'email'],
    [{ email: 'ada @example.com', name: 'Ada' }, 'email'],
    [{ email: 'ada@example.com', name: '  ' }, 'name'],
    [{ email: 'ada@example.com', name: 'x'.repeat(101) }, 'name'],
  ])('refuses %o as InvalidInput on %s before asking the database anything', async (input, field) => {
    const { service, statements } = await setUp();
    await expect(service.signUp(input)).rejects.toMatchObject({ name: 'InvalidInput', field });
    expect(statements).toEqual([]);
  });

  it('refuses an address that does not accept mail, storing nothing', async () => {
    const { service, settle, count } = await setUp();
    await expect(settle(service.signUp({ email: 'ada@example.invalid', name: 'Ada' }))).rejects.toEqual(
      new InvalidInput('email', 'ada@example.invalid does not accept mail'),
    );
    expect(await count()).toBe(0);
  });

  it('says UserNotFound for a user that does not exist', async () => {
    const { service } = await setUp();
    await expect(service.getUser(42)).rejects.toEqual(new UserNotFound(42));
  });
});

describe('userRoutes over the service', () => {
  const routesFor = async () => {
    const { service, settle } = await setUp(0);
    const errors: unknown[] = [];
    const routes = userRoutes({ users: service, logger: { error: (_msg, fields) => void errors.push(fields) } });
    const call = (method: string, path: string, body?: unknown) =>
      settle(Promise.resolve(routes.handle({ method, path, headers: { 'x-request-id': 'r-1' }, body })));
    return { call, errors };
  };

  it('answers 201 with the user and its location, 200 for a look-up', async () => {
    const { call } = await routesFor();
    const created = await call('POST', '/users', { email: 'Ada@example.com', name: 'Ada' });
    expect(created).toMatchObject({ status: 201, headers: { location: '/users/1' }, body: { id: 1, email: 'ada@example.com' } });
    expect(await call('GET', '/users/1')).toMatchObject({ status: 200, body: { id: 1, name: 'Ada' } });
  });

  it('maps each domain error to its status: 409 taken, 404 missing, 422 invalid (naming the field), 404 for an unknown route', async () => {
    const { call, errors } = await routesFor();
    await call('POST', '/users', { email: 'ada@example.com', name: 'Ada' });
    expect(await call('POST', '/users', { email: 'ada@example.com', name: 'Ada' })).toMatchObject({
      status: 409,
      body: { error: 'ada@example.com is already registered' },
    });
    expect(await call('GET', '/users/9')).toMatchObject({ status: 404, body: { error: 'user 9 does not exist' } });
    expect(await call('POST', '/users', { email: 'ada' })).toMatchObject({ status: 422, body: { field: 'name' } });
    expect(await call('POST', '/users', 'not json')).toMatchObject({ status: 422, body: { field: 'email' } });
    expect(await call('DELETE', '/users/1')).toMatchObject({ status: 404, body: { error: 'no route for DELETE /users/1' } });
    expect(errors).toEqual([]);
  });
});
