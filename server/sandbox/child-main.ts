/**
 * The first module of a sandbox process (see host.ts for how it is started:
 * under Node's permission model, with its limits on the command line). In
 * order, before any engine or lab code runs:
 *
 * 1. the heartbeat starts, so the host's watchdog covers start-up too;
 * 2. the guards go in (fatals reported with the learner's line, `process.exit`
 *    and the ways to load native or built-in modules taken away, console
 *    output rate-limited, loop guards armed);
 * 3. stack traces are source-mapped, so they name the learner's `.ts` lines;
 *
 * then it waits for the host's `start`, which names the entry (the run engine,
 * the trial loader, the checks runner) and its data. A pool keeps processes
 * waiting here (pool.ts), so a run starts without waiting for Node to.
 *
 * Arguments (nothing secret: the token and the database never come here):
 * heartbeat period, loop limit and heap limit, in ms and MB.
 */
import { getHeapStatistics } from 'node:v8';
import { control, installGuards, receiveFromHost, reportFatal } from './guards.ts';
import { SANDBOX_KEY } from './protocol.ts';

const [heartbeatMs = 100, loopLimitMs = 1500, heapLimitMb = 256] = process.argv.slice(2).map(Number);

// Real timers, taken before lab code could replace them. Unref'd: the heartbeat alone must
// not keep a process that has nothing left to do alive.
const beat = () => control({ [SANDBOX_KEY]: 'heartbeat', heapUsed: getHeapStatistics().used_heap_size });
setInterval(beat, heartbeatMs).unref();
beat();

installGuards({ loopLimitMs, heapLimitMb });

process.setSourceMapsEnabled(true);
control({ [SANDBOX_KEY]: 'guarded' });

// The IPC channel keeps the process alive while it waits, and for as long as the entry runs:
// an entry ends it with `endSandbox()`, and the host ends one it no longer wants.
receiveFromHost(({ config }) => {
  // The entry's own loads have their deadlines (importLab, startWithin); the entry itself is ours.
  import(config.entry).then(
    () => control({ [SANDBOX_KEY]: 'ready' }),
    (error: unknown) => reportFatal('load', error),
  );
});
