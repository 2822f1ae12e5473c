/**
 * The data side of the sign-up service: the `users` table, a small user
 * repository over the run's database, and a unit of work that decides when
 * writes are committed. Only what the service needs: the repository pattern
 * has the full story.
 *
 *   const user = await unitOfWork.run((users) => users.add({ email, name }));
 *
 * The rule "no two users share an email" lives here, in the schema: the
 * UNIQUE constraint on `email`. The service's own look-up before a sign-up
 * answers the common case early, but two sign-ups at the same moment can
 * both pass it; only the database sees every insert, one at a time. When it
 * refuses one, `add` says so in the domain's words (EmailTaken), so nothing
 * above this file ever sees a SQLite error for it.
 */
import { isDatabaseError, type Clock, type LabDatabase } from '../kit/index.ts';
import type { NewUser, User } from './domain.ts';
import { EmailTaken } from './errors.ts';

/**
 * The table, as the lab creates it (and re-creates it, keeping the rows, when
 * you change it: see lab.ts). The same columns as the repository pattern's.
 */
export const USERS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  )`;

/** What the service asks of its storage: reads, and one write. */
export interface UserRepository {
  get(id: number): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  /** Stores a new user; EmailTaken when another user already has its email. */
  add(user: NewUser): Promise<User>;
}

/** Writes that succeed or fail together, committed by the unit, never by a repository. */
export interface UnitOfWork {
  /** Runs `work` with a repository bound to one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (users: UserRepository) => Promise<T>): Promise<T>;
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  version: number;
  created_at: number;
}

const COLUMNS = 'id, email, name, version, created_at';

const toUser = (row: UserRow): User => ({ id: row.id, email: row.email, name: row.name, version: row.version, createdAt: row.created_at });

/** SQLite's refusal of a second row with the same email (and not any other constraint). */
const isEmailTaken = (error: unknown): boolean =>
  isDatabaseError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('users.email');

export class SqlUserRepository implements UserRepository {
  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  async get(id: number): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, id);
    return row && toUser(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = ?`, email);
    return row && toUser(row);
  }

  async add({ email, name }: NewUser): Promise<User> {
    try {
      const row = await this.db.get<UserRow>(
        `INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, ?) RETURNING ${COLUMNS}`,
        email,
        name,
        this.clock.wallNow(),
      );
      return toUser(row!);
    } catch (error) {
      // The constraint is the guarantee; this is where it becomes the domain's word for it.
      if (isEmailTaken(error)) throw new EmailTaken(email);
      throw error;
    }
  }
}

/** One transaction of the run's database per unit (`db.transaction`). */
export class SqlUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (users: UserRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(new SqlUserRepository(tx, this.clock)));
  }
}
