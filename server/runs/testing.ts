/**
 * For tests of the run engine on virtual time: a lab manifest with nothing
 * around it (no fault points, params or load), and a LabRun over it that
 * records its events, numbered, into an array.
 */
import { requestLogView, type LabManifest, type TelemetryEvent, type VirtualClock } from '../../patterns/kit/index.ts';
import { directSqlClient, type SqlConnection } from '../sandbox/sql-channel.ts';
import { SqlHost } from '../sandbox/sql-host.ts';
import { LabRun, type LabRunOptions } from './engine.ts';
import { simulatedServices } from './simulated-services.ts';

/** A lab with no fault points, params or load: the module under test is handed to `deploy` directly. */
export const bareLab = (id: string): LabManifest => ({
  id,
  title: id,
  summary: '',
  module: 'lab.ts',
  faultPoints: [],
  params: [],
  views: [requestLogView()],
  defaultLoad: { model: 'none' },
  invariants: [],
});

/** A fresh database in memory, on a SQL host of its own in this process: for runs and `RunDatabase`s in tests. */
export const memoryDatabase = (): Promise<SqlConnection> => directSqlClient(new SqlHost()).open('memory');

/** A run of `lab` on `clock` (its database, if it declares one, in memory), its events pushed to `events` with their `seq`; `options` adds to or overrides the rest. */
export const virtualRun = (
  lab: LabManifest,
  clock: VirtualClock,
  events: TelemetryEvent[] = [],
  options: Partial<LabRunOptions> = {},
): LabRun =>
  new LabRun({
    runId: 'r',
    patternId: 'p',
    lab,
    seed: 1,
    clock,
    services: simulatedServices,
    emit: (e) => events.push({ ...e, seq: events.length }),
    openDatabase: memoryDatabase,
    ...options,
  });
