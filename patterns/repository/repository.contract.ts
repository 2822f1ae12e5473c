/**
 * The contract every repository implementation keeps, as one test suite:
 * `repository.test.ts` runs it against memory-repository.ts and
 * sqlite-repository.ts, so the two cannot drift apart. (Test code: the
 * implementation never imports it.)
 */
import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../kit/index.ts';
import { ConcurrencyError, DuplicateEmailError, NotFoundError } from './errors.ts';
import type { OrderRepository, UserRepository } from './repository.ts';
import { UNIT_WAIT_MS, type UnitOfWork } from './unit-of-work.ts';

/** One fresh, empty set of repositories on the same store, and its clock. */
export interface ContractSubject {
  users: UserRepository;
  orders: OrderRepository;
  unitOfWork: UnitOfWork;
  clock: VirtualClock;
}

export function repositoryContract(name: string, makeSubject: () => Promise<ContractSubject>): void {
  describe(`${name}: the repository contract`, () => {
    const ada = { email: 'ada@example.com', name: 'Ada' };
    const grace = { email: 'grace@example.com', name: 'Grace' };

    /** Every page from the start, following `next` until there is none. */
    const pageThrough = async (users: UserRepository, limit: number) => {
      const pages: number[][] = [];
      let after: number | undefined;
      do {
        const page = await users.list({ limit, after });
        pages.push(page.items.map((u) => u.id));
        after = page.next;
      } while (after !== undefined);
      return pages;
    };

    it('adds a user at version 1 with an id and the clock’s time, and gets it back by id and by email', async () => {
      const { users, clock } = await makeSubject();
      await clock.advance(1_000);
      const added = await users.add(ada);
      expect(added).toEqual({ id: expect.any(Number), ...ada, version: 1, createdAt: clock.wallNow() });
      expect(await users.get(added.id)).toEqual(added);
      expect(await users.findByEmail(ada.email)).toEqual(added);
      expect(await users.findByEmail('nobody@example.com')).toBeUndefined();
      expect(await users.get(added.id + 1_000)).toBeUndefined();
    });

    it('keeps a createdAt the caller passes', async () => {
      const { users } = await makeSubject();
      expect(await users.add({ ...ada, createdAt: 1_234 })).toMatchObject({ createdAt: 1_234 });
    });

    it('gives each user an id of its own, never reused after a removal', async () => {
      const { users } = await makeSubject();
      const a = await users.add(ada);
      await users.remove(a.id);
      const g = await users.add(grace);
      expect(g.id).not.toBe(a.id);
    });

    it('refuses a second user with the same email, as a DuplicateEmailError', async () => {
      const { users } = await makeSubject();
      await users.add(ada);
      await expect(users.add({ ...ada, name: 'Another Ada' })).rejects.toBeInstanceOf(DuplicateEmailError);
      await expect(users.add({ ...ada, name: 'Another Ada' })).rejects.toMatchObject({ email: ada.email });
      expect((await users.list({ limit: 10 })).items).toHaveLength(1);
    });

    it('refuses two concurrent adds of one email: exactly one wins', async () => {
      const { users } = await makeSubject();
      const results = await Promise.allSettled([users.add(ada), users.add(ada)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(DuplicateEmailError) });
    });

    it('lists by id, a page at a time, to the end with no gap and no repeat', async () => {
      const { users } = await makeSubject();
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) ids.push((await users.add({ email: `u${i}@example.com`, name: `U${i}` })).id);
      const pages = await pageThrough(users, 3);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(ids);
      // A page that ends exactly at the last user says there is no next page.
      expect(await users.list({ limit: 7 })).toMatchObject({ next: undefined });
      expect(await users.list({ limit: 10, after: ids[6] })).toEqual({ items: [], next: undefined });
    });

    it('pages without skipping or repeating when users are removed between pages', async () => {
      const { users } = await makeSubject();
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push((await users.add({ email: `u${i}@example.com`, name: `U${i}` })).id);
      const first = await users.list({ limit: 2 });
      expect(first.items.map((u) => u.id)).toEqual(ids.slice(0, 2));
      // An offset-paged list would now skip ids[2]: the rows before it moved up.
      await users.remove(ids[0]!);
      const second = await users.list({ limit: 2, after: first.next });
      expect(second.items.map((u) => u.id)).toEqual(ids.slice(2, 4));
    });

    it('lists nothing, with no next page, when empty; and refuses a limit below 1', async () => {
      const { users } = await makeSubject();
      expect(await users.list({ limit: 5 })).toEqual({ items: [], next: undefined });
      await expect(users.list({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
    });

    it('updates only the given fields, keeps the id, and bumps the version', async () => {
      const { users, clock } = await makeSubject();
      const added = await users.add(ada);
      await clock.advance(5_000);
      const renamed = await users.update(added.id, { name: 'Ada Lovelace' }, 1);
      expect(renamed).toEqual({ ...added, name: 'Ada Lovelace', version: 2 });
      expect(await users.get(added.id)).toEqual(renamed);
      // An undefined field means "not given", not "clear it".
      const moved = await users.update(added.id, { email: 'ada@lovelace.org', name: undefined }, 2);
      expect(moved).toEqual({ ...renamed, email: 'ada@lovelace.org', version: 3 });
    });

    it('ignores anything but the editable fields, even when the object carries an id or a version', async () => {
      const { users } = await makeSubject();
      const added = await users.add(ada);
      // What the widely copied Python version's update would copy over the stored user.
      const smuggled = { name: 'Ada', id: 999, version: 42, createdAt: 0 };
      const updated = await users.update(added.id, smuggled, 1);
      expect(updated).toEqual({ ...added, version: 2 });
      expect(await users.get(999)).toBeUndefined();
    });

    it('refuses a stale version with a ConcurrencyError and leaves the user as it was', async () => {
      const { users } = await makeSubject();
      const added = await users.add(ada);
      const first = await users.update(added.id, { name: 'First writer' }, 1);
      await expect(users.update(added.id, { name: 'Second writer' }, 1)).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(users.update(added.id, { name: 'Second writer' }, 1)).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      expect(await users.get(added.id)).toEqual(first);
    });

    it('lets exactly one of two concurrent updates from the same version through', async () => {
      const { users } = await makeSubject();
      const added = await users.add(ada);
      const results = await Promise.allSettled([users.update(added.id, { name: 'A' }, 1), users.update(added.id, { name: 'B' }, 1)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(ConcurrencyError) });
      expect(await users.get(added.id)).toMatchObject({ version: 2 });
    });

    it('refuses an update of a missing user with a NotFoundError', async () => {
      const { users } = await makeSubject();
      await expect(users.update(404, { name: 'Nobody' }, 1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.update(404, { name: 'Nobody' }, 1)).rejects.toMatchObject({ entity: 'User', id: 404 });
    });

    it('refuses an update to an email another user has, and keeps both users as they were', async () => {
      const { users } = await makeSubject();
      const a = await users.add(ada);
      const g = await users.add(grace);
      await expect(users.update(g.id, { email: ada.email }, 1)).rejects.toBeInstanceOf(DuplicateEmailError);
      expect(await users.get(g.id)).toEqual(g);
      expect(await users.get(a.id)).toEqual(a);
      // Setting a user's own email again is no conflict.
      expect(await users.update(a.id, { email: ada.email }, 1)).toMatchObject({ email: ada.email, version: 2 });
    });

    it('removes a user: get then answers undefined, and removing it again is a NotFoundError', async () => {
      const { users } = await makeSubject();
      const a = await users.add(ada);
      const g = await users.add(grace);
      await users.remove(a.id);
      expect(await users.get(a.id)).toBeUndefined();
      expect(await users.findByEmail(ada.email)).toBeUndefined();
      expect(await users.get(g.id)).toEqual(g);
      await expect(users.remove(a.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.update(a.id, { name: 'Back' }, 1)).rejects.toBeInstanceOf(NotFoundError);
      // The email is free again.
      expect(await users.add(ada)).toMatchObject({ email: ada.email, version: 1 });
    });

    it('hands out copies: mutating a returned user changes nothing stored', async () => {
      const { users } = await makeSubject();
      const added = await users.add(ada);
      (added as { name: string }).name = 'Mutated';
      expect(await users.get(added.id)).toMatchObject({ name: ada.name });
    });

    it('adds orders and lists a user’s orders by id', async () => {
      const { users, orders } = await makeSubject();
      const a = await users.add(ada);
      const g = await users.add(grace);
      const first = await orders.add({ userId: a.id, amountCents: 1_250 });
      await orders.add({ userId: g.id, amountCents: 99 });
      const second = await orders.add({ userId: a.id, amountCents: 4_200, createdAt: 7 });
      expect(first).toEqual({ id: expect.any(Number), userId: a.id, amountCents: 1_250, createdAt: expect.any(Number) });
      expect(await orders.listByUser(a.id)).toEqual([first, second]);
      expect(await orders.listByUser(404)).toEqual([]);
    });

    it('lists a page of users with their orders, as listing the users and then each one’s orders would', async () => {
      const { users, orders } = await makeSubject();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await users.add({ email: `u${i}@example.com`, name: `U${i}` })).id);
      // Users 0 and 3 have no orders; the others one or two, added out of user order.
      await orders.add({ userId: ids[2]!, amountCents: 300 });
      await orders.add({ userId: ids[1]!, amountCents: 100 });
      await orders.add({ userId: ids[2]!, amountCents: 301 });
      await orders.add({ userId: ids[4]!, amountCents: 500 });
      const pages: Array<Array<{ id: number; orders: number[] }>> = [];
      let after: number | undefined;
      do {
        const page = await users.listWithOrders({ limit: 2, after });
        pages.push(page.items.map(({ user, orders: list }) => ({ id: user.id, orders: list.map((o) => o.amountCents) })));
        // The same as the N+1 way: the page's users, then each one's orders.
        const plain = await users.list({ limit: 2, after });
        expect(page.items.map((i) => i.user)).toEqual(plain.items);
        for (const item of page.items) expect(item.orders).toEqual(await orders.listByUser(item.user.id));
        after = page.next;
      } while (after !== undefined);
      expect(pages).toEqual([
        [
          { id: ids[0], orders: [] },
          { id: ids[1], orders: [100] },
        ],
        [
          { id: ids[2], orders: [300, 301] },
          { id: ids[3], orders: [] },
        ],
        [{ id: ids[4], orders: [500] }],
      ]);
      await expect(users.listWithOrders({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
    });

    describe('unit of work', () => {
      /** Service code, written once against the interfaces: sign a user up with a first order. */
      const signUpWithOrder = (unitOfWork: UnitOfWork, amountCents: number) =>
        unitOfWork.run(async ({ users, orders }) => {
          const user = await users.add(ada);
          const order = await orders.add({ userId: user.id, amountCents });
          if (amountCents <= 0) throw new Error('payment declined');
          return { user, order };
        });

      it('commits every write of the work when it resolves', async () => {
        const { users, orders, unitOfWork } = await makeSubject();
        const { user, order } = await signUpWithOrder(unitOfWork, 500);
        expect(await users.get(user.id)).toEqual(user);
        expect(await orders.listByUser(user.id)).toEqual([order]);
      });

      it('rolls back every write of the work when it throws, and rethrows', async () => {
        const { users, orders, unitOfWork } = await makeSubject();
        await expect(signUpWithOrder(unitOfWork, 0)).rejects.toThrow('payment declined');
        expect(await users.findByEmail(ada.email)).toBeUndefined();
        expect(await users.list({ limit: 10 })).toEqual({ items: [], next: undefined });
        expect(await orders.listByUser(1)).toEqual([]);
        // And the store still works: the same sign-up now succeeds.
        const { user } = await signUpWithOrder(unitOfWork, 500);
        expect(await users.findByEmail(ada.email)).toEqual(user);
      });

      it('rolls back updates and removals too, on a domain error', async () => {
        const { users, unitOfWork } = await makeSubject();
        const a = await users.add(ada);
        const g = await users.add(grace);
        await expect(
          unitOfWork.run(async (repos) => {
            await repos.users.update(a.id, { name: 'Changed' }, 1);
            await repos.users.remove(g.id);
            await repos.users.update(a.id, { name: 'Stale' }, 1); // ConcurrencyError
          }),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await users.get(a.id)).toEqual(a);
        expect(await users.get(g.id)).toEqual(g);
      });

      it('keeps a failing unit from undoing a unit that ran alongside it', async () => {
        const { users, unitOfWork } = await makeSubject();
        const failing = unitOfWork.run(async (repos) => {
          await repos.users.add(ada);
          throw new Error('boom');
        });
        const succeeding = unitOfWork.run((repos) => repos.users.add(grace));
        await expect(failing).rejects.toThrow('boom');
        const g = await succeeding;
        expect(await users.findByEmail(grace.email)).toEqual(g);
        expect(await users.findByEmail(ada.email)).toBeUndefined();
      });

      it('refuses a unit started inside another (units do not nest), and rolls the outer one back', async () => {
        const { clock, users, unitOfWork } = await makeSubject();
        const outer = unitOfWork.run(async (repos) => {
          await repos.users.add(ada);
          await unitOfWork.run((inner) => inner.users.add(grace));
        });
        const settled = outer.then(
          () => undefined,
          (error: unknown) => error,
        );
        // In memory the nested unit is refused when it gives up waiting, as a busy SQLite transaction does.
        await clock.advance(UNIT_WAIT_MS);
        expect(String(await settled)).toMatch(/units of work do not nest/);
        expect(await users.findByEmail(ada.email)).toBeUndefined();
        expect(await users.findByEmail(grace.email)).toBeUndefined();
        // And the unit of work still works.
        await unitOfWork.run((repos) => repos.users.add(grace));
        expect(await users.findByEmail(grace.email)).toBeDefined();
      });
    });
  });
}
