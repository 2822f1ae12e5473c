/** One-line descriptions of fault specs, load profiles and parameters, for markers, tooltips and panels. */
import type { FaultError, FaultSpec, LoadProfile } from '../../../../patterns/kit/index.ts';

export const describeError = (error: FaultError): string => {
  switch (error.kind) {
    case 'status':
      return `HTTP ${error.status}${error.retryAfterSeconds !== undefined ? ` (Retry-After ${error.retryAfterSeconds}s)` : ''}`;
    case 'reset':
      return 'connection reset';
    case 'hang':
      return 'hang';
    case 'down':
      return 'down (refused)';
    case 'exception':
      return error.message ? `exception “${error.message}”` : 'exception';
    case 'busy':
      return 'database busy';
    case 'locked':
      return 'database locked';
  }
};

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

export const describeFault = (spec: FaultSpec): string => {
  if (!spec.enabled) return 'healthy';
  const parts: string[] = [];
  if (spec.errorRate > 0) parts.push(`${Math.round(spec.errorRate * 1000) / 10}% ${describeError(spec.error)}`);
  if (spec.failFirst > 0) parts.push(`first ${spec.failFirst} fail (${describeError(spec.error)})`);
  const { latency } = spec;
  if (latency.rate > 0 && (latency.baseMs > 0 || latency.jitterMs > 0)) {
    parts.push(`+${latency.baseMs}${latency.jitterMs ? `±${latency.jitterMs}` : ''} ms${latency.rate < 1 ? ` on ${Math.round(latency.rate * 100)}%` : ''}`);
  }
  for (const w of spec.schedule) {
    const what = w.error ? describeError(w.error) : describeError(spec.error);
    const rate = w.errorRate !== undefined && w.errorRate < 1 ? ` ${Math.round(w.errorRate * 100)}%` : '';
    parts.push(`${what}${rate} ${secs(w.startMs)}–${secs(w.startMs + w.durationMs)}${w.repeatEveryMs ? ` every ${secs(w.repeatEveryMs)}` : ''}`);
  }
  return parts.length ? parts.join(', ') : 'enabled, no fault set';
};

export const describeLoad = (profile: LoadProfile): string => {
  if (profile.model === 'none') return 'no load';
  const base =
    profile.model === 'open'
      ? `${profile.rate} req/s${profile.stages?.length ? ` → ${profile.stages.map((s) => `${s.target}/s`).join(' → ')}` : ''}`
      : `${profile.concurrency} concurrent${profile.thinkTimeMs ? `, think ${profile.thinkTimeMs} ms` : ''}`;
  const bounds = [
    profile.durationMs !== undefined && `for ${secs(profile.durationMs)}`,
    profile.amount !== undefined && `${profile.amount} requests`,
    profile.clients !== undefined && `${profile.clients} client${profile.clients === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return [`${profile.model}: ${base}`, ...bounds].join(', ');
};

export const describeParams = (params: Record<string, unknown>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

/** The parameters whose value differs from `before` (all of them without one). */
export const changedParams = (before: Record<string, unknown> | undefined, after: Record<string, unknown>): Record<string, unknown> =>
  before ? Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v)) : after;
