/**
 * The "jobs" lab: a loyalty-points API on the lab's own HTTP server that
 * leaves the work to background workers. `POST /process` enqueues a
 * credit-points job and answers 202 with the job's id at once; `GET
 * /task/:id` says where the job is. A few workers (worker.ts) pull the jobs,
 * run the credit (credit-points.ts) and record the outcome. The queue is the
 * SQLite one (sqlite-queue.ts) or, when the workbench has Redis, BullMQ: the
 * `engine` param (engines.ts).
 *
 * Fault points: the database under the queue; the job handler (exceptions,
 * slowness); and `worker-crash`, which kills the worker running a job after
 * it has credited the points and before it reports them done: its jobs stay
 * active until their leases expire, then another worker runs them again.
 *
 * The lab watches two invariants, counted here from what the API accepted
 * and what the lab saw run and reads where the jobs are (on SQLite, the table
 * itself, not asked of the queue: it is the code under test): no accepted job
 * is lost, and no job runs on two workers at once while its lease holds.
 */
import type { Disposable, HttpResponse, LabContext, LabInstance, LabRequest, LabResult, ServiceRequest } from '../kit/index.ts';
import { isBrokerError, isDatabaseError, isFinalJobState } from '../kit/index.ts';
import { creditPoints, POINTS_SCHEMA } from './credit-points.ts';
import { openEngine } from './engines.ts';
import { jobsParams } from './params.ts';
import { JOBS_SCHEMA } from './sqlite-queue.ts';
import { type JobHandler, Worker } from './worker.ts';

/** A supervisor restarts a killed worker after this long. */
const RESTART_MS = 1_000;
/**
 * How often an idle worker looks for work. A busy one looks again as soon as a
 * job ends; each look is a statement, so idle workers are not hurried.
 */
const POLL_MS = 200;
/** How often the lab counts the table and checks that no job is lost. */
const CHECK_EVERY_MS = 1_000;
/** The backoff of a failed job: short, so a lab run shows retries within seconds. */
const BACKOFF = { baseMs: 500, maxMs: 8_000 };

/** One request in four asks where a job is; the others place orders. */
const STATUS_SHARE = 0.25;
/** One order in ten is a client retrying an order it sent before, with the same key. */
const RETRY_SHARE = 0.1;
/** One order in five is express (priority 1, before the others' 5); one in ten is delayed 2 s. */
const EXPRESS_SHARE = 0.2;
const DELAYED_SHARE = 0.1;
const DELAY_MS = 2_000;
const CUSTOMERS = 20;
/** Orders remembered for status checks and retried sends. */
const KNOWN = 500;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
/** The queue's store refused or did not answer: the database (its fault point), or the broker. */
const isUnavailable = (error: unknown) => isDatabaseError(error) || isBrokerError(error);
const isBusy = (error: unknown) => isDatabaseError(error) && /SQLITE_(BUSY|LOCKED)/.test(error.code);

const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body });

export async function start(ctx: LabContext): Promise<LabInstance> {
  const settings = jobsParams.read(ctx.params);
  const hardLimitMs = Math.max(settings.hardLimitMs, settings.softLimitMs);
  /** An active job whose lease expired longer ago than this is lost: sweeps run every half lease on every worker. */
  const lostAfterMs = 2 * settings.leaseMs + CHECK_EVERY_MS;

  // The tables outlive this code: a redeploy finds the jobs the last one accepted, and the
  // workers below take back the ones it was running once their leases expire.
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.db.exec(JOBS_SCHEMA + POINTS_SCHEMA);
      break;
    } catch (error) {
      if (!isBusy(error) || attempt >= 50) throw error;
      await ctx.clock.sleep(100);
    }
  }
  const engine = openEngine(ctx, settings.engine);
  const { queue } = engine;
  ctx.emit({ type: 'background-jobs.engine', engine: settings.engine, description: engine.description });
  const handlerFault = ctx.fault('job-handler');
  const crashFault = ctx.fault('worker-crash');

  // What the lab itself saw, for the invariants.
  /** Jobs the API accepted (202) and the lab has not yet seen completed or dead in the table. */
  const pending = new Set<string>();
  /**
   * Job id → the runs of its handler going on now, as `workerId#attempt`: past the hard limit a
   * handler that ignores its signal keeps running after its attempt failed, beside the retry.
   */
  const runs = new Map<string, Set<string>>();
  /**
   * `jobId@workerId` → when that worker's lease expires (wall time, as the queue stamps it), as
   * last claimed or extended; dropped when the job leaves `active` (completed, failed, taken back).
   */
  const leases = new Map<string, number>();
  const leaseKey = (jobId: string, workerId: string) => `${jobId}@${workerId}`;
  /** When a worker last failed to take back expired leases: the sweep that finds lost jobs was itself refused. */
  let lastRecoveryFailure = -Infinity;

  const timers = new Set<Disposable>();
  const workers = new Map<string, { worker: Worker; subscriptions: Disposable[] }>();
  let workerCount = 0;
  let disposed = false;

  const handlers: Record<string, JobHandler> = {
    async 'credit-points'(job, { signal, attempt, workerId }) {
      const others = [...(runs.get(job.id) ?? [])].map((run) => run.slice(0, run.lastIndexOf('#'))).filter((w) => w !== workerId);
      for (const other of new Set(others)) {
        // Leases are stamped on the queue's wall clock (its times mean something to every process).
        const expiresAt = leases.get(leaseKey(job.id, other)) ?? -Infinity;
        const now = ctx.clock.wallNow();
        ctx.invariant(
          'one-worker-per-job',
          expiresAt <= now,
          () => `job ${job.id} started on ${workerId} (attempt ${attempt}) while ${other} ran it under a lease good for ${expiresAt - now} ms more`,
        );
      }
      const run = `${workerId}#${attempt}`;
      const running = runs.get(job.id) ?? new Set<string>();
      runs.set(job.id, running.add(run));
      try {
        await handlerFault.hit();
        await ctx.clock.sleep(settings.jobMs, signal);
        const { credited } = await creditPoints(ctx.db, ctx.clock, job);
        const { customer, points } = job.data as { customer: string; points: number };
        ctx.emit({ type: 'background-jobs.credit', jobId: job.id, workerId, attempt, customer, points, credited });
        try {
          await crashFault.hit();
        } catch {
          // The worker dies here: the points are credited, the queue is never told.
          killWorker(workerId);
          throw new Error(`worker ${workerId} crashed`);
        }
        return { credited };
      } finally {
        // The lease is not dropped here: a killed worker's handler ends at once, yet its lease
        // holds until it expires; the move out of `active` drops it (onTransition below).
        running.delete(run);
        if (running.size === 0 && runs.get(job.id) === running) runs.delete(job.id);
      }
    },
  };

  const startWorker = () => {
    if (disposed) return;
    const id = `worker-${++workerCount}`;
    const worker = new Worker({
      id,
      queue,
      handlers,
      clock: ctx.clock,
      random: ctx.random,
      concurrency: settings.concurrency,
      leaseMs: settings.leaseMs,
      pollMs: POLL_MS,
      softLimitMs: settings.softLimitMs,
      hardLimitMs,
      backoff: BACKOFF,
    });
    const subscriptions = [
      worker.onTransition((move) => {
        if (move.to === 'active' && move.leaseExpiresAt !== undefined) leases.set(leaseKey(move.jobId, move.workerId), move.leaseExpiresAt);
        // The job left `active`: the lease of the worker that held it (for a recovered job, the
        // one that died) is released, though its handler may still be running past the hard limit.
        if (move.from === 'active') leases.delete(leaseKey(move.jobId, move.lostBy ?? move.workerId));
        const { leaseExpiresAt: _, ...fields } = move;
        ctx.emit({ type: 'background-jobs.job', ...fields });
      }),
      worker.onLeaseExtended(({ jobId, workerId, expiresAt }) => {
        leases.set(leaseKey(jobId, workerId), expiresAt);
        ctx.emit({ type: 'background-jobs.lease', jobId, workerId, event: 'extended', expiresAt });
      }),
      worker.onLeaseLost(({ jobId, workerId }) => {
        ctx.emit({ type: 'background-jobs.lease', jobId, workerId, event: 'lost' });
        ctx.log.warn(`${workerId} lost its lease on job ${jobId}: another worker has it, and this run's outcome is dropped`);
      }),
      worker.onTimeLimit((hit) => ctx.emit({ type: 'background-jobs.time-limit', ...hit })),
      worker.onQueueError((failure) => {
        if (failure.during === 'recover') lastRecoveryFailure = ctx.clock.now();
        ctx.emit({ type: 'background-jobs.queue-error', ...failure });
      }),
    ];
    workers.set(id, { worker, subscriptions });
    worker.start();
    ctx.emit({ type: 'background-jobs.worker', workerId: id, event: 'started', running: workers.size });
  };

  /** Kills a worker as a crash would, and has a supervisor start another a second later. */
  function killWorker(id: string) {
    const entry = workers.get(id);
    if (!entry) return;
    const jobs = entry.worker.jobs;
    entry.worker.kill();
    for (const s of entry.subscriptions) s.dispose();
    workers.delete(id);
    ctx.emit({ type: 'background-jobs.worker', workerId: id, event: 'killed', jobs, running: workers.size });
    ctx.log.warn(`${id} was killed holding ${jobs.length} job(s): ${jobs.join(', ')}; they run again once their leases expire`, { jobs });
    const restart = ctx.clock.setTimeout(() => {
      timers.delete(restart);
      startWorker();
    }, RESTART_MS);
    timers.add(restart);
  }

  /** Counts the table, and checks that every job the API accepted is in it, and finished or still in hand. */
  let checking = false;
  const check = async () => {
    if (checking || disposed) return;
    checking = true;
    try {
      ctx.emit({ type: 'background-jobs.counts', ...(await engine.counts()) });

      const now = ctx.clock.wallNow();
      // A job counts as lost only if the sweeps that take jobs back ran and passed it by. When a
      // sweep itself was refused (a heavy database fault) within the window, the lease may simply
      // not have been looked at yet: no verdict this time.
      const sweepsRan = ctx.clock.now() - lastRecoveryFailure > lostAfterMs;
      const ids = [...pending];
      const found = await engine.find(ids);
      for (const id of ids) {
        const job = found.get(id);
        if (job && isFinalJobState(job.state)) {
          pending.delete(id);
          continue;
        }
        const lost = !job ? `is no longer in the queue` : job.state === 'active' && job.leaseExpiresAt !== undefined && now - job.leaseExpiresAt > lostAfterMs
          ? `is still active on ${job.workerId}, whose lease expired ${now - job.leaseExpiresAt} ms ago: nobody took it back`
          : undefined;
        if (lost && (sweepsRan || !job)) {
          pending.delete(id);
          ctx.invariant('no-job-lost', false, `job ${id}, accepted with a 202, ${lost}`);
        }
      }
    } catch (error) {
      // The database fault point (or a broker that does not answer) can refuse the lab's own reads too: check again next time.
      if (!isUnavailable(error)) ctx.log.error(`the lab could not check its jobs: ${messageOf(error)}`);
    } finally {
      checking = false;
    }
  };
  const checker = ctx.clock.setInterval(() => void check(), CHECK_EVERY_MS);

  // The API: enqueue and answer at once; look a job up.
  const api = ctx.server('jobs-api', {
    async handle(request: ServiceRequest): Promise<HttpResponse> {
      try {
        if (request.method === 'POST' && request.path === '/process') return await processOrder(request);
        const task = /^\/task\/([^/]+)$/.exec(request.path);
        if (request.method === 'GET' && task) return await taskStatus(decodeURIComponent(task[1]!));
        return json(404, { error: `no route ${request.method} ${request.path}` });
      } catch (error) {
        if (isUnavailable(error)) return json(503, { error: 'the job queue is unavailable; try again' });
        throw error;
      }
    },
  });

  const processOrder = async (request: ServiceRequest): Promise<HttpResponse> => {
    const body = request.body as { customer?: unknown; points?: unknown; priority?: unknown; delayMs?: unknown } | null;
    if (typeof body?.customer !== 'string' || !Number.isInteger(body.points) || (body.points as number) <= 0) {
      return json(400, { error: 'POST /process needs { "customer": string, "points": a whole number > 0 }' });
    }
    const priority = body.priority === undefined ? 5 : body.priority;
    const delayMs = body.delayMs === undefined ? 0 : body.delayMs;
    const key = request.headers['idempotency-key'];
    let enqueued;
    try {
      enqueued = await queue.enqueue(
        'credit-points',
        { customer: body.customer, points: body.points as number },
        { priority: priority as number, delayMs: delayMs as number, attempts: settings.attempts, ...(key !== undefined && { key }) },
      );
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) return json(400, { error: error.message });
      throw error;
    }
    if (!enqueued.created) return json(200, { ...enqueued, status: `/task/${enqueued.id}` });
    pending.add(enqueued.id);
    ctx.emit({ type: 'background-jobs.job', jobId: enqueued.id, to: 'queued', attempt: 0, priority: priority as number, delayMs: delayMs as number });
    return json(202, { ...enqueued, status: `/task/${enqueued.id}` });
  };

  const taskStatus = async (id: string): Promise<HttpResponse> => {
    const job = await queue.get(id);
    if (!job) return json(404, { error: `no job ${id}` });
    const { data: _data, ...status } = job;
    return json(200, status);
  };

  for (let i = 0; i < settings.workers; i++) startWorker();
  ctx.log.info(
    `on ${engine.description}: ${settings.workers} workers × ${settings.concurrency} jobs, ${settings.attempts} attempts, lease ${settings.leaseMs} ms, job ${settings.jobMs} ms`,
    { ...settings },
  );

  // What the load sends: orders (some express, some delayed, some sent again) and status checks.
  /** Orders the API accepted (with their job ids), the newest kept. */
  const known: Array<{ id?: string; key: string; customer: string; points: number }> = [];
  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const pick = () => known[Math.floor(ctx.random.next() * known.length)]!;
      let sent: { method: string; path: string; body?: unknown; headers: Record<string, string> };
      let order: (typeof known)[number] | undefined;
      if (known.length > 0 && ctx.random.next() < STATUS_SHARE) {
        sent = { method: 'GET', path: `/task/${encodeURIComponent(pick().id!)}`, headers: {} };
      } else {
        order =
          known.length > 0 && ctx.random.next() < RETRY_SHARE
            ? pick()
            : { key: `order-${request.id}`, customer: `c${Math.floor(ctx.random.next() * CUSTOMERS)}`, points: 1 + Math.floor(ctx.random.next() * 100) };
        const priority = ctx.random.next() < EXPRESS_SHARE ? 1 : 5;
        const delayMs = ctx.random.next() < DELAYED_SHARE ? DELAY_MS : 0;
        sent = {
          method: 'POST',
          path: '/process',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.key },
          body: { customer: order.customer, points: order.points, priority, delayMs },
        };
      }
      const route = sent.method === 'GET' ? 'GET /task/:id' : 'POST /process';
      try {
        const response = await api.request({ ...sent, headers: { ...sent.headers, 'x-request-id': request.id }, ...(request.signal && { signal: request.signal }) });
        if (order && response.status < 300) {
          if (order.id === undefined) {
            order.id = (response.body as { id: string }).id;
            known.push(order);
            if (known.length > KNOWN) known.shift();
          }
        }
        return toResult(response, route);
      } catch (error) {
        return { outcome: 'error', error: messageOf(error), route };
      }
    },
    dispose() {
      disposed = true;
      checker.dispose();
      for (const timer of timers) timer.dispose();
      timers.clear();
      // Stopped as a crash stops them (a deploy that does not drain): the next deploy's workers
      // take their jobs back when the leases expire.
      for (const { worker, subscriptions } of workers.values()) {
        worker.kill();
        for (const s of subscriptions) s.dispose();
      }
      workers.clear();
    },
  };
}

/** The request log's outcome: a refusal the client caused is `rejected`, the server's failures `error`. */
const toResult = (response: HttpResponse, route: string): LabResult => {
  const { status } = response;
  if (status < 300) return { outcome: 'ok', status, route };
  const body = response.body as { error?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  return { outcome: status < 500 ? 'rejected' : 'error', status, route, error };
};
