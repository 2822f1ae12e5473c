/**
 * Trial loads, inside a sandbox process of their own: imports compiled lab
 * bundles and starts each lab once on virtual time, so a save whose code
 * throws, spins forever or eats memory while it loads is caught here, where it
 * takes nothing down, before any live run is handed that code (and when no run
 * is live, a save is still checked). A throw ends the sandbox with a fatal that
 * names the learner's line; a hang or a memory bomb is ended by the host's
 * watchdog and heap limit, as in a run.
 *
 * The sandbox answers `TrialRequest` messages one at a time, so the host starts
 * it ahead of time and keeps it for the next save: starting a thread and
 * registering tsx costs far more than a trial. Like a live run's sandbox, it
 * keeps the modules it imported (they cannot be unloaded) and ends what each
 * trial set going (see instance-resources.ts), so one trial's leftovers do not
 * run on into the next.
 */
import type { LabModule } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { importLab, onHost, reportFatal, sqlClient, toHost, withinLoadDeadline } from '../sandbox/guards.ts';
import { LabRun } from './engine.ts';
import { InstanceResources, instanceScope, installResourceTracking } from './instance-resources.ts';
import type { TrialReply, TrialRequest } from './protocol.ts';
import { simulatedServices } from './simulated-services.ts';

installResourceTracking();
// A trial's database is in memory, for now in this process (see sql-host.ts).
// Databases are kept by the server (sql-process.ts): statements go over IPC.
const sql = sqlClient();

// The IPC channel keeps the process alive between trials, and while a load waits (a start
// that never settles must meet the load deadline, not end the process quietly).
let handling: Promise<void> = Promise.resolve();
onHost((received) => {
  const message = received as TrialRequest;
  if (message?.type !== 'trial') return;
  handling = handling.then(() => trial(message));
});

async function trial(request: TrialRequest): Promise<void> {
  for (const { bundleUrl, lab } of request.loads) {
    // What the module's top level sets going ends with the trial run (LabRun.stop).
    const loaded = new InstanceResources('the module');
    const module = await instanceScope.run(loaded, () => importLab<Partial<LabModule>>(bundleUrl));
    if (typeof module.start !== 'function') reportFatal('load', new TypeError(`${lab.module} does not export start(ctx)`));
    const run = new LabRun({
      runId: 'trial',
      patternId: request.patternId,
      lab,
      seed: 1,
      clock: new VirtualClock(),
      services: simulatedServices,
      emit: () => undefined,
      openDatabase: () => sql.open('memory'),
      // As in a live run: a start (or a dispose) that never settles is a failed load, within the deadline.
      startWithin: (started) =>
        withinLoadDeadline(started, (seconds) => `The lab did not finish starting within ${seconds} s: does start(ctx) await something that never settles?`),
    });
    try {
      await run.deploy(module as LabModule, loaded);
      await withinLoadDeadline(run.stop(), (seconds) => `The lab did not finish stopping within ${seconds} s: does dispose() await something that never settles?`);
    } catch (error) {
      reportFatal('load', error);
    }
  }
  toHost({ type: 'trial-ok', id: request.id } satisfies TrialReply);
}
