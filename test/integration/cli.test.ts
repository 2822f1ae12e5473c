/**
 * The command line: `parseCli` (flags, their environment variables, clear
 * errors) as a unit, and `server/main.ts` as `npm start` runs it for --help
 * and a bad flag.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, DEFAULT_PORT, HELP, parseCli } from '../../server/cli.ts';
import { collectExit, httpRequest, readyUrl, SLOW, spawnMain } from './helpers.ts';

const parseError = (argv: string[], env: NodeJS.ProcessEnv = {}): CliError => {
  try {
    parseCli(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`parseCli(${JSON.stringify(argv)}) did not fail`);
};

describe('parseCli', () => {
  it('defaults: port 4400, a db under the home directory, a random token, opens the browser', () => {
    const options = parseCli([], {});
    expect(options).toMatchObject({ port: DEFAULT_PORT, open: true, help: false });
    expect(DEFAULT_PORT).toBe(4400);
    expect(options.dbPath).toBe(join(homedir(), '.patterns-workbench', 'workbench.db'));
    expect(options.token.length).toBeGreaterThanOrEqual(16);
    expect(parseCli([], {}).token).not.toBe(options.token);
  });

  it('reads --port, --db, --token and --no-open', () => {
    expect(parseCli(['--port', '0', '--db', 'data/x.db', '--token', 'secret-token', '--no-open'], {})).toEqual({
      port: 0,
      dbPath: resolve('data/x.db'),
      historyMb: 200,
      token: 'secret-token',
      open: false,
      help: false,
    });
    expect(parseCli(['--port=5000'], {}).port).toBe(5000);
    expect(parseCli(['--help'], {}).help).toBe(true);
    expect(parseCli(['-h'], {}).help).toBe(true);
  });

  it('honours WORKBENCH_PORT, WORKBENCH_DB and WORKBENCH_TOKEN', () => {
    const env = { WORKBENCH_PORT: '4567', WORKBENCH_DB: '/tmp/from-env.db', WORKBENCH_TOKEN: 'token-from-env' };
    expect(parseCli([], env)).toMatchObject({ port: 4567, dbPath: '/tmp/from-env.db', token: 'token-from-env' });
  });

  it('flags win over the environment', () => {
    const env = { WORKBENCH_PORT: '4567', WORKBENCH_DB: '/tmp/from-env.db', WORKBENCH_TOKEN: 'token-from-env' };
    expect(parseCli(['--port', '0', '--db', '/tmp/flag.db', '--token', 'token-from-flag'], env)).toMatchObject({
      port: 0,
      dbPath: '/tmp/flag.db',
      token: 'token-from-flag',
    });
  });

  it('a bad port is an error naming --port and the value', () => {
    for (const bad of ['abc', '70000', '1.5', '', '12ab', '0x10']) {
      const error = parseError(['--port', bad]);
      expect(error.message, bad).toMatch(/^--port: /);
      expect(error.message).toContain(`'${bad}'`);
    }
  });

  it('--history-mb and WORKBENCH_HISTORY_MB bound the events kept for stopped runs (default 200 MB)', () => {
    expect(parseCli([], {}).historyMb).toBe(200);
    expect(parseCli(['--history-mb', '50'], {}).historyMb).toBe(50);
    expect(parseCli([], { WORKBENCH_HISTORY_MB: '0' }).historyMb).toBe(0);
    expect(parseCli(['--history-mb=75'], { WORKBENCH_HISTORY_MB: '10' }).historyMb).toBe(75);
    for (const bad of ['abc', '-5', '1.5', '', '2000000']) {
      expect(parseError([`--history-mb=${bad}`]).message, bad).toMatch(/^--history-mb: expected a whole number of megabytes/);
    }
    expect(parseError([], { WORKBENCH_HISTORY_MB: 'lots' }).message).toMatch(/^WORKBENCH_HISTORY_MB: .*'lots'/);
  });

  it('--redis and WORKBENCH_REDIS name a Redis for the broker engines (none by default); a bad URL names its source', () => {
    expect(parseCli([], {}).redis).toBeUndefined();
    expect(parseCli([], { WORKBENCH_REDIS: '' }).redis).toBeUndefined();
    expect(parseCli(['--redis', 'redis://127.0.0.1:6379'], {}).redis).toBe('redis://127.0.0.1:6379');
    expect(parseCli([], { WORKBENCH_REDIS: 'redis://localhost:6390/2' }).redis).toBe('redis://localhost:6390/2');
    expect(parseCli(['--redis=redis://127.0.0.1:7000'], { WORKBENCH_REDIS: 'redis://127.0.0.1:6379' }).redis).toBe('redis://127.0.0.1:7000');
    for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://', 'redis://127.0.0.1:6379/queues']) {
      expect(parseError(['--redis', bad]).message, bad).toMatch(/^--redis: /);
    }
    expect(parseError([], { WORKBENCH_REDIS: 'localhost' }).message).toMatch(/^WORKBENCH_REDIS: expected a Redis URL such as redis:\/\/127\.0\.0\.1:6379/);
  });

  it('a bad WORKBENCH_PORT names the variable', () => {
    expect(parseError([], { WORKBENCH_PORT: 'abc' }).message).toMatch(/^WORKBENCH_PORT: .*'abc'/);
  });

  it('a short token is an error naming --token (or WORKBENCH_TOKEN)', () => {
    expect(parseError(['--token', 'short']).message).toMatch(/^--token: /);
    expect(parseError([], { WORKBENCH_TOKEN: 'short' }).message).toMatch(/^WORKBENCH_TOKEN: /);
  });

  it('an unknown flag or a stray argument is an error that shows the usage', () => {
    for (const argv of [['--prot', '80'], ['serve'], ['--port']]) {
      const error = parseError(argv);
      expect(error.message, argv.join(' ')).toContain('Usage:');
    }
  });
});

describe('server/main.ts', { timeout: SLOW }, () => {
  it('--help prints the usage and exits 0', async () => {
    const result = await collectExit(spawnMain(['--help']));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(HELP);
    for (const flag of ['--port', '--db', '--history-mb', '--token', '--redis', '--no-open', '--help', 'WORKBENCH_PORT', 'WORKBENCH_DB', 'WORKBENCH_HISTORY_MB', 'WORKBENCH_TOKEN', 'WORKBENCH_REDIS']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('starts from WORKBENCH_PORT/DB/TOKEN alone, serves, and shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-cli-'));
    const dbPath = join(dir, 'from-env.db');
    const token = 'token-from-the-environment';
    const child = spawnMain(['--no-open'], { WORKBENCH_PORT: '0', WORKBENCH_DB: dbPath, WORKBENCH_TOKEN: token });
    const exited = collectExit(child);
    try {
      const url = await readyUrl(child);
      expect(url.searchParams.get('token')).toBe(token);
      const port = Number(url.port);
      expect(port).toBeGreaterThan(0);
      expect((await httpRequest(port, 'GET', '/api/patterns', undefined, { token })).status).toBe(200);
      expect((await httpRequest(port, 'GET', '/api/patterns', undefined, { token: 'integration-test-token-1234' })).status).toBe(401);
      expect(existsSync(dbPath)).toBe(true);
      child.kill('SIGTERM');
      const result = await exited;
      expect(result.code, result.stderr).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--redis where nothing answers exits non-zero, saying where it looked, before serving anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-cli-'));
    try {
      const result = await collectExit(spawnMain(['--redis', 'redis://127.0.0.1:1', '--no-open', '--port', '0', '--db', join(dir, 'wb.db')]));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/The workbench could not start: --redis: nothing answered at redis:\/\/127\.0\.0\.1:1/);
      expect(result.stdout).not.toMatch(/Workbench ready/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--port abc exits non-zero with a message naming --port', async () => {
    const result = await collectExit(spawnMain(['--port', 'abc', '--no-open']));
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toMatch(/--port: expected a whole number/);
    expect(result.stdout).not.toMatch(/Workbench ready/);
  });
});
