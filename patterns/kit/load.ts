/**
 * Load profiles: the traffic driven into a lab, in the two models that load
 * tools (k6, autocannon, wrk2) use.
 */

/** One step of a ramp: move the rate linearly to `target` over `durationMs`. */
export interface LoadStage {
  durationMs: number;
  target: number;
}

interface LoadBounds {
  /** Stop after this long. */
  durationMs?: number;
  /** Stop after sending this many requests. */
  amount?: number;
  /** Requests are spread over this many client keys (client-0 … client-N-1). */
  clients?: number;
}

/** Open model: requests arrive at a rate whatever the system does (like real users). */
export interface OpenLoad extends LoadBounds {
  model: 'open';
  /** Requests per second (the starting rate when there are stages). */
  rate: number;
  stages?: LoadStage[];
}

/** Closed model: a fixed number of clients, each waiting for its answer before the next request. */
export interface ClosedLoad extends LoadBounds {
  model: 'closed';
  concurrency: number;
  thinkTimeMs?: number;
}

/** No traffic. */
export interface NoLoad {
  model: 'none';
}

export type LoadProfile = OpenLoad | ClosedLoad | NoLoad;
