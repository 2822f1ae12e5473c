/**
 * A hand-made LabContext on a VirtualClock for the lab tests: telemetry is
 * recorded with its virtual time, every downstream call is recorded with its
 * time and request, calls honour `timeoutMs` and `signal` as the real client
 * does, and a fault of our choosing can replace the service's own answer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DownstreamError,
  Emitter,
  SeededRandom,
  VirtualClock,
  type Clock,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type LabContext,
  type LabInstance,
  type LabResult,
  type LogLevel,
  type Params,
  type ServiceDefinition,
  type TelemetryInput,
} from '../kit/index.ts';

export type Recorded = TelemetryInput & { t: number };

/** What an injected fault does to one call; undefined lets the service answer. */
export type FakeFault = { status: number; headers?: Record<string, string> } | 'hang' | 'reset' | undefined;

export interface DownstreamCall {
  t: number;
  point: string;
  requestId: string | undefined;
}

/** Settles like `work`, or fails as the real client does on its timeout or an abort. */
const withLimits = (clock: Clock, point: string, request: HttpRequest, work: () => Promise<HttpResponse>) =>
  new Promise<HttpResponse>((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(new DownstreamError('ABORTED', point));
      return;
    }
    let settled = false;
    const done = (finish: () => void) => {
      if (settled) return;
      settled = true;
      timer?.dispose();
      request.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => done(() => reject(new DownstreamError('ABORTED', point)));
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : clock.setTimeout(() => done(() => reject(new DownstreamError('ETIMEDOUT', point))), request.timeoutMs);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    work().then(
      (response) => done(() => resolve(response)),
      (error: unknown) => done(() => reject(error)),
    );
  });

export const makeLabContext = (params: Params, seed = 7) => {
  const clock = new VirtualClock();
  const events: Recorded[] = [];
  const calls: DownstreamCall[] = [];
  const requestScope = new AsyncLocalStorage<string>();
  let fault: () => FakeFault = () => undefined;

  const emit = (event: TelemetryInput) => events.push({ ...event, t: clock.now() });
  const logAt =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      emit({ type: 'log', level, msg, fields });
  const service = (point: string, definition: ServiceDefinition): HttpClient => ({
    request(request) {
      calls.push({ t: clock.now(), point, requestId: requestScope.getStore() });
      const injected = fault();
      return withLimits(clock, point, request, async () => {
        if (injected === 'hang') return new Promise<never>(() => {});
        if (injected === 'reset') throw new DownstreamError('ECONNRESET', point);
        if (injected) return { status: injected.status, headers: injected.headers ?? {}, body: { injected: true } };
        const { method = 'GET', path, headers = {}, body } = request;
        return definition.handle({ method, path, headers, body });
      });
    },
  });
  const ctx: LabContext = {
    runId: 'test-run',
    clock,
    random: new SeededRandom(seed),
    params,
    onParamsChanged: new Emitter<Params>().event,
    emit,
    service,
    server: () => {
      throw new Error('this lab starts no server of its own');
    },
    fault: () => {
      throw new Error('this lab has no in-process fault points');
    },
    currentRequestId: () => requestScope.getStore(),
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
  };

  /** Sends one request as the engine would: inside its request scope. */
  const send = (lab: LabInstance, id: string, clientKey = 'client-0'): Promise<LabResult> =>
    requestScope.run(id, () => lab.handle({ id, clientKey }));

  return {
    ctx,
    clock,
    events,
    calls,
    send,
    setFault: (next: () => FakeFault) => {
      fault = next;
    },
  };
};

/** The events of one type, narrowed. */
export const eventsOf = <K extends Recorded['type']>(events: Recorded[], type: K) =>
  events.filter((e): e is Extract<Recorded, { type: K }> => e.type === type);

/** The most calls in any `bucketMs`-long slice of time from `fromMs` on. */
export const peakPerBucket = (calls: DownstreamCall[], bucketMs: number, fromMs = 0): number => {
  const counts = new Map<number, number>();
  for (const { t } of calls) {
    if (t < fromMs) continue;
    const bucket = Math.floor((t - fromMs) / bucketMs);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
};
