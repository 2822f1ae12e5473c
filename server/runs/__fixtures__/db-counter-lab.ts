/**
 * A test lab that uses `ctx.db`: it counts the requests it serves in a table.
 * Each "version" is different code (as a redeploy brings), so a test can see
 * which code served a request while the rows stay in the run's database.
 */
import { requestLogView, type LabManifest, type LabModule } from '../../../patterns/kit/index.ts';

export const dbCounterLab: LabManifest = {
  id: 'db-counter',
  title: 'Counts requests in the database',
  summary: 'Every request is a row in `hits`.',
  module: 'db-counter-lab.ts',
  faultPoints: [{ id: 'database', kind: 'database', title: 'Database', description: 'The run’s SQLite database.' }],
  params: [{ id: 'label', label: 'Label', type: 'enum', default: 'a', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] }],
  views: [requestLogView()],
  guide: { watch: 'Watch the request log: each request is a row in `hits`.', tryFirst: { label: 'Label with b', params: { label: 'b' } } },
  defaultLoad: { model: 'open', rate: 10 },
  invariants: [],
};

export interface Hit {
  id: number;
  request: string;
  version: number;
  label: string;
}

/** The lab's code at `version`. */
export const dbCounterModule = (version: number): LabModule => ({
  async start(ctx) {
    await ctx.db.exec(`CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, request TEXT NOT NULL, version INTEGER NOT NULL, label TEXT NOT NULL)`);
    return {
      async handle(request) {
        try {
          await ctx.db.run('INSERT INTO hits (request, version, label) VALUES (?, ?, ?)', request.id, version, String(ctx.params.label));
          const row = await ctx.db.get<{ n: number }>('SELECT count(*) AS n FROM hits');
          return { outcome: 'ok', status: 200, route: `v${version}:${row?.n ?? 0}` };
        } catch (error) {
          return { outcome: 'error', error: error instanceof Error ? error.message : String(error) };
        }
      },
      dispose() {},
    };
  },
});
