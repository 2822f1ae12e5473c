/**
 * The process that keeps a sandbox's databases (`ctx.db`, a check's in-memory
 * ones), started by the server for a sandbox on its first statement (see
 * sql-process.ts). The SQLite driver is native code, which ignores Node's
 * permission model: it runs here, where no learner code runs, and not in the
 * sandbox, where a determined snippet could reach any object in its own
 * process. Statements arrive from the server, which passes on what the
 * sandbox sent; SqlHost opens only the run's file or memory and refuses the
 * statements that reach other files (ATTACH, VACUUM INTO, …).
 *
 * Arguments: the driver's addon file; the run's database file (may be absent).
 */
import type { SqlRequest } from './sql-channel.ts';
import { SqlHost } from './sql-host.ts';

const [addonFile, runFile] = process.argv.slice(2);
const addon = { exports: {} as object };
process.dlopen(addon, addonFile!);
const host = new SqlHost({ runFile: runFile || undefined, nativeBinding: addon.exports });

process.on('message', (request: SqlRequest) => process.send!(host.handle(request)));
// The server is gone, or done with these databases: close them (a file's WAL is checkpointed) and end.
process.on('disconnect', () => {
  host.dispose();
  process.exit(0);
});
