// The first module a sandboxed worker runs. Plain JavaScript, because it is what
// teaches the worker TypeScript: it starts the heartbeat (before anything slow, so
// the host's watchdog covers start-up too), registers tsx, turns on source maps
// so stacks point at the learner's `.ts` lines, installs the guards, and then
// imports the entry module (the run engine) named in `workerData.sandbox.entry`.
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
const post = port.postMessage.bind(port);
// The message shape is `ControlMessage` in protocol.ts.
const beat = { '@@sandbox': 'heartbeat' };
// Real timers, taken before lab code could replace them. Unref'd: the heartbeat
// alone must not keep a worker that has nothing left to do alive.
setInterval(() => post(beat), workerData.heartbeatMs).unref();
post(beat);

let guards;
try {
  const { register } = await import('tsx/esm/api');
  register();
  process.setSourceMapsEnabled(true);
  guards = await import('./guards.ts');
  guards.installGuards();
  post({ '@@sandbox': 'guarded' });
} catch (error) {
  post({
    '@@sandbox': 'fatal',
    fatal: { kind: 'load', message: `The sandbox failed to start: ${error?.message ?? error}`, stack: error?.stack },
  });
  process.exit(1);
}

try {
  await import(workerData.sandbox.entry);
} catch (error) {
  guards.reportFatal('load', error);
}
post({ '@@sandbox': 'ready' });
