/**
 * The server's side of a sandbox's databases: a process of their own (sql-main.ts), started
 * on the sandbox's first statement, which the server passes requests to and replies from.
 *
 * Why a process: SQLite is native code, so it could not run in the sandbox without opening
 * the way to native code there; and in the server, one statement that never ends (a
 * recursive CTE without a limit) would hold the whole workbench, since the driver cannot be
 * interrupted. A process can always be ended: a statement that runs past `statementLimitMs`,
 * or a process that grows past `maxRssMb` (a `zeroblob` of a gigabyte), ends it, and the
 * sandbox's run with it, with a message that says so.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Disposable } from '../../patterns/kit/events.ts';
import { prebuiltDir, prebuiltEntry } from './prebuilt.ts';
import type { SandboxFatal } from './protocol.ts';
import { residentMb } from './resident.ts';
import type { SqlReply, SqlRequest } from './sql-channel.ts';

const SQL_MAIN = new URL('./sql-main.ts', import.meta.url);
const SQLITE_ADDON = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');

export interface SqlProcessOptions {
  /** The folder the databases' files live in (the sandbox's own). */
  folder: string;
  /** The run's database file, inside `folder`; without it only in-memory databases open. */
  runFile?: string;
  /** The process had to be ended: the sandbox's run ends with this. */
  onFatal(fatal: SandboxFatal): void;
  /** A statement running longer than this ends the process. Default 5 s (SQLite's busy timeout). */
  statementLimitMs?: number;
  /** Resident memory above which the process is ended. Default 512 MB. */
  maxRssMb?: number;
}

interface Pending {
  sql: string | undefined;
  sentAt: number;
  reply(reply: SqlReply): void;
}

export class SqlProcess implements Disposable {
  private child: ChildProcess | undefined;
  private starting: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly watch: ReturnType<typeof setInterval>;
  private ended = false;
  private readonly statementLimitMs: number;
  private readonly maxRssMb: number;

  constructor(private readonly options: SqlProcessOptions) {
    this.statementLimitMs = options.statementLimitMs ?? 5_000;
    this.maxRssMb = options.maxRssMb ?? 512;
    this.watch = setInterval(() => this.check(), 100);
    this.watch.unref();
  }

  /** Passes `request` on; `reply` gets the answer (an error answer if the process is gone). */
  handle(request: SqlRequest, reply: (reply: SqlReply) => void): void {
    if (this.ended) {
      reply({ id: request.id, ok: false, error: { code: 'SQLITE_IOERR', message: 'the database has been closed: the run has ended' } });
      return;
    }
    this.pending.set(request.id, { sql: 'sql' in request ? request.sql : undefined, sentAt: performance.now(), reply });
    if (this.child?.connected) this.child.send(request);
    else void (this.starting ??= this.start()).then(() => this.child?.connected && this.child.send(request));
  }

  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.watch);
    this.failPending('the database has been closed: the run has ended');
    // A clean end closes the databases (and checkpoints a file's WAL); one that hangs is ended.
    if (this.child?.connected) {
      const child = this.child;
      child.disconnect();
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    }
  }

  private async start(): Promise<void> {
    const entry = fileURLToPath(await prebuiltEntry(SQL_MAIN));
    if (this.ended) return;
    const folder = realpathSync(this.options.folder);
    const child = fork(entry, [SQLITE_ADDON, this.options.runFile ?? ''], {
      cwd: folder,
      execArgv: [
        // The same model as a sandbox's, with the one native addon it exists for.
        '--experimental-permission',
        `--allow-fs-read=${realpathSync(prebuiltDir())}/*`,
        `--allow-fs-read=${folder}/*`,
        `--allow-fs-write=${folder}/*`,
        `--allow-fs-read=${realpathSync(SQLITE_ADDON)}`,
        '--allow-addons',
        '--max-old-space-size=256',
        '--no-warnings=ExperimentalWarning',
      ],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (reply: SqlReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      pending?.reply(reply);
    });
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      if (this.ended) return;
      this.fail(`The run's database process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).`, 'exit');
    });
  }

  /** Each 100 ms: has a statement run too long, or the process grown too big? */
  private check(): void {
    if (this.ended || !this.child?.pid) return;
    const now = performance.now();
    for (const { sql, sentAt } of this.pending.values()) {
      if (now - sentAt <= this.statementLimitMs) continue;
      const statement = sql === undefined ? 'A database operation' : `The SQL statement \`${sql.trim().slice(0, 200)}\``;
      this.fail(
        `${statement} ran for over ${this.statementLimitMs / 1000} s (a query that never ends, such as a recursive CTE without a LIMIT?), so the run's database was stopped.`,
        'infinite-loop',
      );
      return;
    }
    const rssMb = residentMb(this.child.pid);
    if (rssMb !== undefined && rssMb > this.maxRssMb) {
      this.fail(`The run's database used ${Math.round(rssMb)} MB of memory, over the ${this.maxRssMb} MB allowed, so it was stopped.`, 'out-of-memory');
    }
  }

  private fail(message: string, kind: SandboxFatal['kind']): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.watch);
    this.child?.kill('SIGKILL');
    this.failPending(message);
    this.options.onFatal({ kind, message });
  }

  private failPending(message: string): void {
    for (const [id, { reply }] of this.pending) reply({ id, ok: false, error: { code: 'SQLITE_IOERR', message } });
    this.pending.clear();
  }
}
