import { defineChecks } from '../../../patterns/kit/index.ts';
import { CommandBus } from '../../../patterns/cqrs/command-bus.ts';
import { HandlerAlreadyRegistered, NoHandler, type CommandOf } from '../../../patterns/cqrs/messages.ts';

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** A command of a type the app does not know yet, as it arrives from a newer client. */
const cancelOrder = { type: 'CancelOrder', orderId: 7 } as unknown as CommandOf<'PlaceOrder'>;

export default defineChecks([
  {
    task: 1,
    name: 'a command with a registered handler gets that handler’s result',
    async run({ expect }) {
      const bus = new CommandBus();
      bus.register('PlaceOrder', async (command) => ({ orderId: command.userId * 10, position: 3 }));
      expect.equal(await bus.execute({ type: 'PlaceOrder', userId: 4, amountCents: 500 }), { orderId: 40, position: 3 }, 'the answer to PlaceOrder');
    },
  },
  {
    task: 1,
    name: 'a command no handler was registered for throws NoHandler naming its type, and runs nothing',
    async run({ expect }) {
      const bus = new CommandBus();
      let ran = 0;
      bus.register('PlaceOrder', async () => (ran++, { orderId: 1, position: 1 }));
      const error = await expect.rejects(() => bus.execute(cancelOrder), 'executing CancelOrder, which has no handler');
      expect.ok(error instanceof NoHandler, `it should throw NoHandler, it threw ${show(error)}`);
      expect.ok((error as Error).message.includes('CancelOrder'), `the error should name the command's type, it says ${JSON.stringify((error as Error).message)}`);
      expect.equal(ran, 0, 'handlers run for a command of another type');
    },
  },
  {
    task: 2,
    name: 'registering a second handler for a type is refused with HandlerAlreadyRegistered',
    async run({ expect }) {
      const bus = new CommandBus();
      bus.register('PlaceOrder', async () => ({ orderId: 1, position: 1 }));
      const error = await expect.rejects(
        () => bus.register('PlaceOrder', async () => ({ orderId: 2, position: 2 })),
        'registering a second handler for PlaceOrder',
      );
      expect.ok(error instanceof HandlerAlreadyRegistered, `it should throw HandlerAlreadyRegistered, it threw ${show(error)}`);
      expect.ok((error as Error).message.includes('PlaceOrder'), `the error should name the command's type, it says ${JSON.stringify((error as Error).message)}`);
    },
  },
  {
    task: 2,
    name: 'after a refused second registration, the first handler is still the one that runs',
    async run({ expect }) {
      const bus = new CommandBus();
      bus.register('PlaceOrder', async () => ({ orderId: 1, position: 1 }));
      try {
        bus.register('PlaceOrder', async () => ({ orderId: 2, position: 2 }));
      } catch {
        // refused, as it should be
      }
      expect.equal(await bus.execute({ type: 'PlaceOrder', userId: 1, amountCents: 100 }), { orderId: 1, position: 1 }, 'the answer to PlaceOrder');
    },
  },
]);
