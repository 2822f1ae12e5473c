/**
 * A trial load, inside a short-lived sandbox worker: imports a compiled lab
 * and starts it once on virtual time, so a save that throws at load is
 * reported even when no run is live to receive it. A throw ends the worker
 * with a fatal that names the learner's line.
 */
import { parentPort } from 'node:worker_threads';
import type { LabManifest, LabModule } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { endWorker, engineData, importLab, reportFatal } from '../sandbox/guards.ts';
import { LabRun } from './engine.ts';
import { simulatedServices } from './simulated-services.ts';

const data = engineData<{ bundleUrl: string; lab: LabManifest; patternId: string }>();
const module = await importLab<Partial<LabModule>>(data.bundleUrl);
if (typeof module.start !== 'function') reportFatal('load', new TypeError(`${data.lab.module} does not export start(ctx)`));

const clock = new VirtualClock();
const run = new LabRun({
  runId: 'trial',
  patternId: data.patternId,
  lab: data.lab,
  seed: 1,
  clock,
  services: simulatedServices,
  emit: () => undefined,
});
try {
  await run.deploy(module as LabModule);
  await run.stop();
} catch (error) {
  reportFatal('load', error);
}
parentPort!.postMessage({ type: 'trial-ok' });
setImmediate(() => endWorker(0));
