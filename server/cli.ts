/** Command-line flags, each with an environment variable, validated with clear errors. */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HISTORY_MB } from './store/store.ts';

export interface CliOptions {
  port: number;
  dbPath: string;
  /** Megabytes of recorded events kept for stopped runs, all together. */
  historyMb: number;
  token: string;
  /** A Redis for the labs' broker engines (`redis://host:port`), when one was given. */
  redis?: string;
  open: boolean;
  help: boolean;
}

export const DEFAULT_PORT = 4400;
export const defaultDbPath = (): string => join(homedir(), '.patterns-workbench', 'workbench.db');

export const HELP = `Patterns Workbench: learn backend patterns by running, breaking and fixing them.

Usage: npm start -- [options]

Options:
  --port N     Port on 127.0.0.1 (default ${DEFAULT_PORT}, or the next free one; 0 picks any)   [WORKBENCH_PORT]
  --db PATH    SQLite file for code versions, runs and progress (default ~/.patterns-workbench/workbench.db)   [WORKBENCH_DB]
  --history-mb N
               Megabytes of recorded events kept for stopped runs; the oldest runs' go first (default ${DEFAULT_HISTORY_MB})   [WORKBENCH_HISTORY_MB]
  --token T    Access token (default: random for each launch)   [WORKBENCH_TOKEN]
  --redis URL  A Redis for the labs that can use a broker, e.g. redis://127.0.0.1:6379: the background-jobs
               lab then offers BullMQ beside its SQLite queue (default: none; the labs need no Redis)   [WORKBENCH_REDIS]
  --no-open    Do not open the browser
  --help       Show this help
`;

export class CliError extends Error {}

export const parseCli = (argv: string[], env: NodeJS.ProcessEnv): CliOptions => {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        db: { type: 'string' },
        'history-mb': { type: 'string' },
        token: { type: 'string' },
        redis: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${HELP}`);
  }
  const portText = values.port ?? env.WORKBENCH_PORT;
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText.trim()) || port > 65535) {
      // Name where the bad value came from: the flag, or the environment variable.
      const source = values.port !== undefined ? '--port' : 'WORKBENCH_PORT';
      throw new CliError(`${source}: expected a whole number from 0 to 65535, got '${portText}'`);
    }
  }
  const historyText = values['history-mb'] ?? env.WORKBENCH_HISTORY_MB;
  let historyMb = DEFAULT_HISTORY_MB;
  if (historyText !== undefined) {
    historyMb = Number(historyText);
    if (!/^\d+$/.test(historyText.trim()) || historyMb > 1_000_000) {
      const source = values['history-mb'] !== undefined ? '--history-mb' : 'WORKBENCH_HISTORY_MB';
      throw new CliError(`${source}: expected a whole number of megabytes from 0 to 1000000, got '${historyText}'`);
    }
  }
  const token = values.token ?? env.WORKBENCH_TOKEN ?? randomBytes(24).toString('base64url');
  if (token.length < 8) {
    throw new CliError(`${values.token !== undefined ? '--token' : 'WORKBENCH_TOKEN'}: use at least 8 characters`);
  }
  const redisText = values.redis ?? (env.WORKBENCH_REDIS || undefined);
  const redis = redisText === undefined ? undefined : checkRedisUrl(redisText, values.redis !== undefined ? '--redis' : 'WORKBENCH_REDIS');
  return {
    port,
    dbPath: resolve(values.db ?? env.WORKBENCH_DB ?? defaultDbPath()),
    historyMb,
    token,
    ...(redis !== undefined && { redis }),
    open: !values['no-open'],
    help: values.help,
  };
};

/** A Redis URL as BullMQ takes it: `redis://[:password@]host[:port][/db]`. */
const checkRedisUrl = (text: string, source: string): string => {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new CliError(`${source}: expected a Redis URL such as redis://127.0.0.1:6379, got '${text}'`);
  }
  if (url.protocol !== 'redis:' || url.hostname === '') {
    throw new CliError(`${source}: expected a Redis URL such as redis://127.0.0.1:6379 (redis://host:port), got '${text}'`);
  }
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) {
    throw new CliError(`${source}: the path names a database by number (redis://127.0.0.1:6379/2), got '${url.pathname}'`);
  }
  return url.toString().replace(/\/$/, '');
};

/** Whether a browser can be opened here: a desktop on macOS/Windows, or a display on Linux. */
export const canOpenBrowser = (env: NodeJS.ProcessEnv, platform = process.platform): boolean =>
  platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
