/**
 * What to tell the learner about a worker the watchdog found stuck: an
 * infinite loop, or a memory bomb on its way to the heap limit, with the line
 * it was running. Pure, so the wording and the thresholds are tested without
 * workers.
 */
import { userLocation, type UserCode } from './locate.ts';
import type { SandboxFatal } from './protocol.ts';
import type { StuckSnapshot } from './stuck-location.ts';

/**
 * Share of the heap limit above which a stuck worker counts as out of memory. Measured on
 * the development machines: loops that only compute, or churn short-lived garbage, hold
 * under 40 MB; a sync loop pushing objects holds 60–140 MB of a 256 MB heap when a 1.5 s
 * watchdog fires (it depends on the load), and the whole heap soon after.
 */
export const NEAR_HEAP_LIMIT = 0.5;

export interface StuckContext {
  userCode: UserCode;
  /** How long the worker had been silent, in ms. */
  silentMs: number;
  /** The worker's heap limit (`maxOldGenerationSizeMb`). */
  heapLimitMb: number;
}

/** The fatal for a stuck worker; `snapshot` is undefined when the inspector gave nothing in time. */
export function stuckFatal(snapshot: StuckSnapshot | undefined, context: StuckContext): SandboxFatal {
  const frames = snapshot?.frames ?? [];
  const where = userLocation(frames, context.userCode);
  const at = where ? ` It was running ${where.file}:${where.line}.` : '';
  const stack = frames.map((f) => `    at ${f.functionName || '<anonymous>'} (${f.file}:${f.line}:${f.column})`).join('\n');
  const location = { ...where, ...(stack && { stack }) };
  const limitMb = context.heapLimitMb;
  const usedMb = Math.round((snapshot?.heapUsedBytes ?? 0) / 2 ** 20);

  if (usedMb >= NEAR_HEAP_LIMIT * limitMb) {
    return {
      kind: 'out-of-memory',
      message: `The lab was running out of memory: it held ${usedMb} MB of the ${limitMb} MB heap the sandbox allows and had stopped responding, so it was stopped.${at}`,
      ...location,
    };
  }
  const seconds = (context.silentMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 });
  // A loop that was filling memory too, though not yet half of it: worth a hint.
  const heap = usedMb >= limitMb / 4 ? ` It held ${usedMb} MB of its ${limitMb} MB heap.` : '';
  return {
    kind: 'infinite-loop',
    message: `The code stopped responding for over ${seconds} s (an infinite loop?) and was stopped.${at}${heap}`,
    ...location,
  };
}
