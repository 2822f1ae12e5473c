/**
 * The run engine's side of a live run, inside the sandbox process: it owns the
 * real clock and the loopback services, applies the host's control messages
 * to the LabRun, and sends telemetry back in batches (one message per
 * flush, not per event, so a busy lab does not flood the host).
 */
import type { LabModule, UnsequencedEvent } from '../../patterns/kit/index.ts';
import { RealClock } from '../../patterns/kit/index.ts';
import { createLiveService } from '../faults/live.ts';
import { describeThrown, endSandbox, engineData, importLab, importWithin, locateError, onHost, reportFatal, sqlClient, toHost, withinLoadDeadline } from '../sandbox/guards.ts';
import { BrokerClient } from '../queues/broker-channel.ts';
import { LabRun, type ServiceFactory } from './engine.ts';
import { InstanceResources, instanceScope, installResourceTracking } from './instance-resources.ts';
import type { HostMessage, LoadFailure, RunStartData, RunMessage } from './protocol.ts';

const data = engineData<RunStartData>();
// Before any lab code loads: the timers and fetches a lab instance starts end with it (see instance-resources.ts).
installResourceTracking();
const post = (message: RunMessage) => toHost(message);

// Numbered (`seq`) by the host as it records them.
let buffer: UnsequencedEvent[] = [];
const flush = () => {
  if (buffer.length === 0) return;
  const events = buffer;
  buffer = [];
  post({ type: 'telemetry', events });
};
const flushTimer = setInterval(flush, data.flushEveryMs);

// The run's databases are kept by the server (sql-process.ts): statements go over IPC.
const sql = sqlClient();

// The workbench's broker, when it has one: its queues are kept by the server (broker-host.ts), calls go over IPC.
const broker = data.broker ? new BrokerClient(data.broker.description, (request) => post({ type: 'broker', request })) : undefined;

const liveServices: ServiceFactory = (options) => createLiveService(options);

const run = new LabRun({
  runId: data.runId,
  patternId: data.patternId,
  lab: data.lab,
  seed: data.seed,
  params: data.params,
  clock: new RealClock(),
  services: liveServices,
  openDatabase: () => sql.open('run'),
  ...(broker && { broker }),
  emit: (event) => buffer.push(event),
  startWithin: (started) =>
    withinLoadDeadline(started, (seconds) => `The lab did not finish starting within ${seconds} s: does start(ctx) await something that never settles?`),
});

const asLabModule = (module: Record<string, unknown>, url: string): LabModule => {
  if (typeof module.start !== 'function') throw new TypeError(`${url} does not export a start(ctx) function`);
  return module as unknown as LabModule;
};

const failure = (error: unknown): LoadFailure => ({
  message: describeThrown(error),
  ...locateError(error),
  ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
});

/**
 * Imports a bundle within a scope of its own: what its top level sets going (an interval, say)
 * belongs to the module, and ends once no instance of it runs any more.
 */
const importInScope = async <T>(url: string, importer: (url: string) => Promise<T>): Promise<{ module: T; loaded: InstanceResources }> => {
  const loaded = new InstanceResources('the module');
  try {
    return { module: await instanceScope.run(loaded, () => importer(url)), loaded };
  } catch (error) {
    loaded.dispose();
    throw error;
  }
};

// First deploy: a throw here ends the run with a fatal pointing at the learner's line.
const { module: firstModule, loaded: firstLoaded } = await importInScope(data.bundleUrl, importLab);
const first = asLabModule(firstModule, data.bundleUrl);
for (const [point, spec] of Object.entries(data.faults)) run.setFault(point, spec);
try {
  await run.deploy(first, firstLoaded);
} catch (error) {
  reportFatal('load', error);
}
run.emit({ type: 'run.started', patternId: data.patternId, lab: data.lab.id, seed: data.seed, versions: data.versions });
run.setLoad(data.load);
flush();
post({ type: 'ready' });

// One message at a time, in order: a deploy and a params change both restart the lab, and
// two restarts interleaved would leave a second lab instance running unseen and the run on
// other code than the host was told.
let handling: Promise<void> = Promise.resolve();
onHost((message) => {
  const m = message as HostMessage;
  // Answers to the lab's own calls, at once: the message being handled (a deploy starting the
  // lab, say) may be the one waiting for it.
  if (m.type === 'broker-reply') broker?.receive(m.reply);
  else handling = handling.then(() => handle(m));
});

async function handle(message: HostMessage): Promise<void> {
  switch (message.type) {
    case 'fault':
      run.setFault(message.point, message.spec);
      return;
    case 'load':
      run.setLoad(message.profile);
      return;
    case 'params':
      try {
        await run.setParams(message.params);
        post({ type: 'reply', requestId: message.requestId, ok: true });
      } catch (error) {
        post({ type: 'reply', requestId: message.requestId, ok: false, error: failure(error) });
      }
      return;
    case 'deploy':
      try {
        // A throw while importing or starting the new code is an answer to the
        // deploy, not the end of the run: the previous code keeps running. So is an
        // import that never finishes: messages are handled one at a time, and every
        // later one (and the host's save) would wait behind it.
        const { module: imported, loaded } = await importInScope(message.bundleUrl, importWithin);
        let module: LabModule;
        try {
          module = asLabModule(imported, message.bundleUrl);
        } catch (error) {
          loaded.dispose();
          throw error;
        }
        await run.deploy(module, loaded);
        run.emit({ type: 'run.deployed', file: message.file, version: message.version });
        // At once, not at the next flush: the learner is waiting to see the new code take.
        flush();
        post({ type: 'reply', requestId: message.requestId, ok: true });
      } catch (error) {
        post({ type: 'reply', requestId: message.requestId, ok: false, error: failure(error) });
      }
      return;
    case 'stop':
      await run.stop();
      run.emit({ type: 'run.stopped', reason: message.reason });
      clearInterval(flushTimer);
      flush();
      post({ type: 'reply', requestId: message.requestId, ok: true });
      // Let the reply leave the port before the thread ends.
      setImmediate(() => endSandbox(0));
      return;
  }
}
