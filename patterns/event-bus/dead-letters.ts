/**
 * Dead letters: deliveries that kept failing after every retry. Instead of
 * being dropped (lost without a trace), each one is kept with the event, the
 * handler that could not take it, and why, so someone can look at it, fix
 * the cause, and replay it.
 *
 * The bus talks to a small store interface, so where letters live is a
 * choice apart from the bus: memory here; a database table or a broker's
 * dead-letter queue in production, where they survive a restart.
 */
import type { DomainEvent } from './events.ts';

/** One delivery that gave up. Plain data: it serializes, streams and stores as is. */
export interface DeadLetter<E extends DomainEvent = DomainEvent> {
  /** Assigned by the store. */
  readonly id: string;
  readonly event: E;
  /** The subscription's name: replay finds the handler by it. */
  readonly handler: string;
  /** Attempts made before giving up. */
  readonly attempts: number;
  /** The last attempt's error message. */
  readonly error: string;
  /** When the delivery gave up, on the bus's clock. */
  readonly deadAt: number;
}

export interface DeadLetterStore<E extends DomainEvent = DomainEvent> {
  /** Keeps a letter and returns it with its id. */
  add(letter: Omit<DeadLetter<E>, 'id'>): DeadLetter<E>;
  get(id: string): DeadLetter<E> | undefined;
  /** Removes a letter (replay takes it out before redelivering). True if it was there. */
  delete(id: string): boolean;
  /** The letters, oldest first. */
  list(): Array<DeadLetter<E>>;
  readonly size: number;
}

/**
 * Dead letters in memory, bounded: when `limit` letters are kept, the oldest
 * is dropped to make room (and counted in `dropped`), so a handler that fails
 * for hours cannot grow memory without end. Everything here is lost when the
 * process ends.
 */
export class InMemoryDeadLetterStore<E extends DomainEvent = DomainEvent> implements DeadLetterStore<E> {
  private readonly letters = new Map<string, DeadLetter<E>>();
  private seq = 0;
  /** Letters dropped because the store was full. */
  dropped = 0;

  /** @param limit Letters kept at most. Default 1 000. */
  constructor(readonly limit = 1_000) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`InMemoryDeadLetterStore limit must be an integer >= 1, got ${limit}`);
    }
  }

  add(letter: Omit<DeadLetter<E>, 'id'>): DeadLetter<E> {
    if (this.letters.size >= this.limit) {
      // A Map iterates in insertion order: the first key is the oldest letter.
      const oldest = this.letters.keys().next().value!;
      this.letters.delete(oldest);
      this.dropped++;
    }
    const stored: DeadLetter<E> = { ...letter, id: `dl-${++this.seq}` };
    this.letters.set(stored.id, stored);
    return stored;
  }

  get(id: string): DeadLetter<E> | undefined {
    return this.letters.get(id);
  }

  delete(id: string): boolean {
    return this.letters.delete(id);
  }

  list(): Array<DeadLetter<E>> {
    return [...this.letters.values()];
  }

  get size(): number {
    return this.letters.size;
  }
}
