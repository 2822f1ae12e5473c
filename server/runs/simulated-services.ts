/** Downstream services for virtual time: in-process, driven by the same fault model as the live proxy. */
import { createSimulatedService } from '../faults/simulated.ts';
import type { ServiceFactory } from './engine.ts';

export const simulatedServices: ServiceFactory = (options) => ({
  client: createSimulatedService(options),
  close: () => undefined,
});
