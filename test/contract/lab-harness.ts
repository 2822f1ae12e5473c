/**
 * Runs a pattern's lab in-process on a VirtualClock with simulated
 * downstreams: the set-up the contract suite and exercise checks share. A lab
 * that declares a `database` fault point gets its `ctx.db` in memory (the
 * engine's default), kept across redeploys and closed by `run.stop()`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabManifest, LabModule, Params, PatternManifest, TelemetryEvent } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { LabRun, type ServiceFactory } from '../../server/runs/engine.ts';
import { simulatedServices } from '../../server/runs/simulated-services.ts';

export const PATTERNS_DIR = join(import.meta.dirname, '..', '..', 'patterns');

export interface VirtualLab {
  run: LabRun;
  clock: VirtualClock;
  events: TelemetryEvent[];
}

export const loadLabModule = async (pattern: PatternManifest, lab: LabManifest): Promise<LabModule> =>
  (await import(pathToFileURL(join(PATTERNS_DIR, pattern.id, lab.module)).href)) as LabModule;

/** Starts `lab` on virtual time with its default load; the caller advances the clock. */
export const startVirtualLab = async (
  pattern: PatternManifest,
  lab: LabManifest,
  options: { seed?: number; services?: ServiceFactory; clock?: VirtualClock; params?: Params; module?: LabModule } = {},
): Promise<VirtualLab> => {
  const clock = options.clock ?? new VirtualClock();
  const events: TelemetryEvent[] = [];
  const run = new LabRun({
    runId: 'contract',
    patternId: pattern.id,
    lab,
    seed: options.seed ?? 42,
    ...(options.params && { params: options.params }),
    clock,
    services: options.services ?? simulatedServices,
    // Numbered as the run host numbers them, in the order emitted.
    emit: (event) => events.push({ ...event, seq: events.length }),
  });
  await run.deploy(options.module ?? (await loadLabModule(pattern, lab)));
  run.setLoad(lab.defaultLoad);
  return { run, clock, events };
};
