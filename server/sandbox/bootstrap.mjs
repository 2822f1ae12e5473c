// The first module a sandboxed worker runs. Plain JavaScript, because it is what
// teaches the worker TypeScript: it starts the heartbeat (before anything slow, so
// the host's watchdog covers start-up too), registers tsx and the import guard
// (import-guard.mjs), turns on source maps
// so stacks point at the learner's `.ts` lines, installs the guards, and then
// imports the entry module (the run engine) named in `workerData.sandbox.entry`.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  // After tsx, so they run first: imports whose parent is lab code resolve only to the kit.
  const { register: registerHooks } = await import('node:module');
  // Real paths: module URLs are resolved through symlinks, so the prefixes must be too.
  // Trusted parents: the project's files and the workbench's own (this file's project: the same
  // one, unless the workbench serves another project's patterns).
  const rootDir = realpathSync(workerData.sandbox.rootDir);
  const workbenchDir = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
  registerHooks('./import-guard.mjs', {
    parentURL: import.meta.url,
    data: {
      trustedUrls: [pathToFileURL(rootDir).href, pathToFileURL(workbenchDir).href],
      kitUrl: pathToFileURL(realpathSync(path.join(rootDir, 'patterns', 'kit'))).href,
    },
  });
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
