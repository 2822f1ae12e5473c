/**
 * The messages of the CQRS pattern, as types: what may be asked of the write
 * side (commands), what may be asked of the read side (queries), and what the
 * write side records when a command succeeds (events). Each is a plain object
 * with a `type` string, so it can travel as JSON and a `switch` on `type`
 * narrows it; the compiler knows which result each one answers with.
 */

/** A request to change something: handled by exactly one handler, on the write side. */
export type Command =
  | { type: 'RegisterUser'; email: string; name: string }
  | { type: 'PlaceOrder'; userId: number; amountCents: number };

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/**
 * What each command answers with. Every answer carries `position`: the place
 * of the event it recorded in the event log. A client that wants to read its
 * own write hands it back to the read side (read-side.ts).
 */
export interface CommandResults {
  RegisterUser: { userId: number; position: number };
  PlaceOrder: { orderId: number; position: number };
}

/** A fact the write side recorded, in the same transaction as its own tables. */
export type DomainEvent =
  | { type: 'UserRegistered'; userId: number; email: string; name: string }
  | { type: 'OrderPlaced'; orderId: number; userId: number; amountCents: number };

/** An event as the log holds it: its position (1, 2, 3, … in the order recorded) and when. */
export interface RecordedEvent {
  position: number;
  recordedAt: number;
  event: DomainEvent;
}

/** A request to read something: answered from the read model only. */
export type Query = { type: 'GetUserSummary'; userId: number } | { type: 'ListTopCustomers'; limit: number };

export type QueryType = Query['type'];
export type QueryOf<T extends QueryType> = Extract<Query, { type: T }>;

/** One row of the read model: a user with their orders already counted and summed. */
export interface UserSummary {
  userId: number;
  email: string;
  name: string;
  orderCount: number;
  totalCents: number;
}

export interface QueryResults {
  GetUserSummary: UserSummary | undefined;
  ListTopCustomers: UserSummary[];
}

/** A command whose type no handler was registered for: a wiring mistake, said out loud. */
export class NoHandler extends Error {
  override readonly name = 'NoHandler';
  constructor(readonly commandType: string) {
    super(`no handler is registered for command '${commandType}'`);
  }
}

/** A second handler for one command type: which one should run? Refused. */
export class HandlerAlreadyRegistered extends Error {
  override readonly name = 'HandlerAlreadyRegistered';
  constructor(readonly commandType: string) {
    super(`a handler for command '${commandType}' is registered already`);
  }
}

/** A command the write side refuses: bad input, said in the domain's words. */
export class InvalidCommand extends Error {
  override readonly name = 'InvalidCommand';
}

/** The read model did not reach the position a client asked for in time. */
export class ReadModelBehind extends Error {
  override readonly name = 'ReadModelBehind';
  constructor(
    readonly wanted: number,
    readonly reached: number,
    waitedMs: number,
  ) {
    super(`the read model is at position ${reached}, still behind ${wanted} after ${waitedMs} ms`);
  }
}
