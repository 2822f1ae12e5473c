/**
 * What to tell the learner about a sandbox that stopped answering: an infinite
 * loop, or a memory bomb on its way to the heap limit, with the line it was
 * running where one is known. Said by the sandbox itself when a loop guard
 * stops a loop of the learner's (guards.ts), and by the host when it had to
 * end a process that went silent elsewhere (host.ts). Pure, so the wording and
 * the thresholds are tested without processes.
 */
import type { SandboxFatal, SourceLocation } from './protocol.ts';

/**
 * Share of the heap limit above which a stuck sandbox counts as out of memory. Measured on
 * the development machines: loops that only compute, or churn short-lived garbage, hold
 * under 40 MB; a sync loop pushing objects holds 60–140 MB of a 256 MB heap when a 1.5 s
 * watchdog fires (it depends on the load), and the whole heap soon after.
 */
export const NEAR_HEAP_LIMIT = 0.5;

export interface Stuck {
  /** The learner's line it was running, when known. */
  location?: SourceLocation;
  /** The heap in use when it was last seen, in bytes. */
  heapUsedBytes?: number;
  /** How long it had been silent, in ms. */
  silentMs: number;
  /** The sandbox's heap limit (`--max-old-space-size`). */
  heapLimitMb: number;
}

/** The fatal for a stuck sandbox. */
export function stuckFatal({ location, heapUsedBytes = 0, silentMs, heapLimitMb }: Stuck): SandboxFatal {
  const at = location ? ` It was running ${location.file}:${location.line}.` : '';
  const usedMb = Math.round(heapUsedBytes / 2 ** 20);
  if (usedMb >= NEAR_HEAP_LIMIT * heapLimitMb) {
    return {
      kind: 'out-of-memory',
      message: `The lab was running out of memory: it held ${usedMb} MB of the ${heapLimitMb} MB heap the sandbox allows and had stopped responding, so it was stopped.${at}`,
      ...location,
    };
  }
  const seconds = (silentMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 });
  // A loop that was filling memory too, though not yet half of it: worth a hint.
  const heap = usedMb >= heapLimitMb / 4 ? ` It held ${usedMb} MB of its ${heapLimitMb} MB heap.` : '';
  return {
    kind: 'infinite-loop',
    message: `The code stopped responding for over ${seconds} s (an infinite loop?) and was stopped.${at}${heap}`,
    ...location,
  };
}
