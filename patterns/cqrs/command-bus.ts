/**
 * The command bus: one handler per command type, found by the command's
 * `type`. Registering a second handler for a type is refused, and executing a
 * command no handler was registered for throws NoHandler: a command that
 * silently did nothing would be acknowledged to a client whose change was
 * never made.
 *
 *   const bus = new CommandBus();
 *   bus.register('PlaceOrder', (command) => writeSide.placeOrder(command));
 *   const { orderId, position } = await bus.execute({ type: 'PlaceOrder', userId: 7, amountCents: 1_250 });
 */
import { HandlerAlreadyRegistered, NoHandler, type CommandOf, type CommandResults, type CommandType } from './messages.ts';

export type CommandHandler<T extends CommandType> = (command: CommandOf<T>) => Promise<CommandResults[T]>;

export class CommandBus {
  // Keyed by the command's `type` string, which survives JSON and is the same
  // for every command of that kind; a handler of one type only ever gets its own commands.
  private readonly handlers = new Map<CommandType, CommandHandler<CommandType>>();

  register<T extends CommandType>(type: T, handler: CommandHandler<T>): void {
    if (this.handlers.has(type)) throw new HandlerAlreadyRegistered(type);
    this.handlers.set(type, handler as unknown as CommandHandler<CommandType>);
  }

  async execute<T extends CommandType>(command: CommandOf<T>): Promise<CommandResults[T]> {
    const handler = this.handlers.get(command.type);
    if (handler === undefined) throw new NoHandler(String(command.type));
    return (await handler(command)) as CommandResults[T];
  }
}
