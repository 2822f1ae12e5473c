// A sandbox's databases in their own process: statements pass through it in order, and a
// statement that never ends (or a process that grows too big) ends that process, not the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxFatal } from './protocol.ts';
import type { SqlOperation, SqlReply } from './sql-channel.ts';
import { SqlProcess, type SqlProcessOptions } from './sql-process.ts';

const folders: string[] = [];
const processes: SqlProcess[] = [];

afterEach(() => {
  for (const p of processes.splice(0)) p.dispose();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(options: Partial<SqlProcessOptions> = {}) {
  const folder = mkdtempSync(path.join(tmpdir(), 'sql-process-'));
  folders.push(folder);
  const fatals: SandboxFatal[] = [];
  const sql = new SqlProcess({ folder, runFile: path.join(folder, 'lab.sqlite'), onFatal: (f) => fatals.push(f), ...options });
  processes.push(sql);
  let id = 0;
  const ask = (request: SqlOperation): Promise<SqlReply> => new Promise((resolve) => sql.handle({ ...request, id: ++id }, resolve));
  return { sql, fatals, ask, folder };
}

const value = (reply: SqlReply): unknown => {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
};

describe('SqlProcess', () => {
  it("runs a run's statements on its file, in the order they were sent", async () => {
    const { ask } = start();
    const handle = value(await ask({ op: 'open', target: 'run' })) as number;
    const sent = [
      ask({ op: 'exec', handle, sql: 'CREATE TABLE t (n INTEGER)' }),
      ...[1, 2, 3].map((n) => ask({ op: 'run', handle, sql: 'INSERT INTO t VALUES (?)', params: [n] })),
      ask({ op: 'all', handle, sql: 'SELECT n FROM t ORDER BY rowid', params: [] }),
    ];
    const replies = await Promise.all(sent);
    expect(value(replies.at(-1)!)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('refuses a statement that would reach another file, with the code SQLite would give', async () => {
    const { ask } = start();
    const handle = value(await ask({ op: 'open', target: 'memory' })) as number;
    const reply = await ask({ op: 'exec', handle, sql: "ATTACH DATABASE '/tmp/elsewhere.db' AS other" });
    expect(reply).toMatchObject({ ok: false, error: { code: 'SQLITE_AUTH', message: expect.stringContaining('ATTACH is not allowed') } });
  });

  it('ends the process when a statement never ends (a recursive CTE without a limit), and says which', async () => {
    const { ask, fatals } = start({ statementLimitMs: 300 });
    const handle = value(await ask({ op: 'open', target: 'memory' })) as number;
    const started = performance.now();
    const reply = await ask({
      op: 'get',
      handle,
      sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
      params: [],
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(reply).toMatchObject({ ok: false, error: { code: 'SQLITE_IOERR' } });
    expect(fatals).toEqual([
      {
        kind: 'infinite-loop',
        message: expect.stringMatching(/^The SQL statement `WITH RECURSIVE c\(x\) .*` ran for over 0.3 s \(a query that never ends, such as a recursive CTE without a LIMIT\?\)/),
      },
    ]);
    // Nothing more is run: the run has ended.
    expect(await ask({ op: 'open', target: 'memory' })).toMatchObject({ ok: false, error: { code: 'SQLITE_IOERR' } });
  });

  it('ends the process when it grows past its memory limit (a gigabyte table in memory)', async () => {
    const { ask, fatals } = start({ maxRssMb: 200 });
    const handle = value(await ask({ op: 'open', target: 'memory' })) as number;
    const sql = 'CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000) SELECT x, randomblob(200) AS b FROM c';
    const reply = await ask({ op: 'exec', handle, sql });
    expect(reply.ok).toBe(false);
    expect(fatals[0]).toMatchObject({ kind: 'out-of-memory', message: expect.stringMatching(/used \d+ MB of memory, over the 200 MB allowed/) });
  });
});
