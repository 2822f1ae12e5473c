/** The fault layer: the pure fault model and the two transports that apply it. */
export { activeWindow, decide, effectiveFault, isFullyDown, isWindowActive, nextChangeAfter, type EffectiveFault } from './model.ts';
export { FaultInjector, type FaultInjectorOptions, type InjectedCall } from './injector.ts';
export type { FaultInjection } from './types.ts';
export { createSimulatedService, type SimulatedService, type SimulatedServiceOptions } from './simulated.ts';
export { createLiveService, type LiveService, type LiveServiceOptions } from './live.ts';
export { startFaultProxy, type FaultProxy, type FaultProxyOptions } from './proxy.ts';
export { startServiceServer, type ServiceServer } from './service.ts';
export { createHttpClient, toDownstreamError, type HttpClientOptions } from './client.ts';
