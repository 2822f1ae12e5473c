/**
 * For tests of the run engine on virtual time: a lab manifest with nothing
 * around it (no fault points, params or load), and a LabRun over it that
 * records its events, numbered, into an array.
 */
import { requestLogView, type FaultDecision, type LabManifest, type TelemetryEvent, type TelemetryInput, type VirtualClock } from '../../patterns/kit/index.ts';
import { directSqlClient, type SqlConnection } from '../sandbox/sql-channel.ts';
import { SqlHost } from '../sandbox/sql-host.ts';
import { LabRun, type LabRunOptions } from './engine.ts';
import { RunDatabase } from './lab-database.ts';
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
  guide: { watch: 'Watch the request log.', tryFirst: { label: 'Send requests', load: { model: 'open', rate: 1 } } },
  defaultLoad: { model: 'none' },
  invariants: [],
});

/** A fresh database in memory, on a SQL host of its own in this process: for runs and `RunDatabase`s in tests. */
export const memoryDatabase = (): Promise<SqlConnection> => directSqlClient(new SqlHost()).open('memory');

/**
 * A lab's `ctx.db` for its tests on virtual time (the kit's makeTestLabContext
 * takes `open` as its `db`): the engine's own RunDatabase over one SQLite
 * database in memory, kept across the lab's restarts as a run keeps it, with
 * its `database` fault point decided per statement by the test (no fault until
 * `setFault`). `close()` it after the test.
 */
export class TestLabDatabase {
  private readonly connection = memoryDatabase();
  private readonly opened: RunDatabase[] = [];
  private decide: () => FaultDecision = () => ({ latencyMs: 0 });

  /** The newest lab instance's database. */
  get current(): RunDatabase {
    const db = this.opened.at(-1);
    if (!db) throw new Error('no lab has opened this database yet');
    return db;
  }

  readonly open = (harness: { clock: VirtualClock; emit: (event: TelemetryInput) => void; requestId: () => string | undefined }): RunDatabase => {
    const db = new RunDatabase({ ...harness, connection: this.connection, faults: { point: 'database', next: () => this.decide() } });
    this.opened.push(db);
    return db;
  };

  /** How each statement from now on fares: its latency, and an error when it fails. */
  setFault(decide: () => FaultDecision): void {
    this.decide = decide;
  }

  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((db) => db.close()));
  }
}

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
