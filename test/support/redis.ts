/**
 * A Redis of the tests' own: Debian's `redis-server`, started on a free
 * loopback port with nothing saved to disk, and stopped afterwards. Where no
 * redis-server is found the tests that need one say so loudly and are
 * skipped — except under CI=true, where a missing Redis is a failure
 * (`.ci/run` installs it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';

const findRedisServer = (): string | undefined => {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
};

export const redisServerPath = findRedisServer();

if (!redisServerPath) {
  const message = "NO REDIS-SERVER FOUND: the tests on Redis cannot run. Install Debian's redis-server (apt-get install -y redis-server) or set REDIS_SERVER_PATH.";
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n${'!'.repeat(100)}\n${message} Skipping them.\n${'!'.repeat(100)}\n`);
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, as `--redis` takes it. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's choice), on loopback. */
const freePort = async (): Promise<number> => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
};

/** Resolves once something answers a PING on `port` (within `timeoutMs`). */
const waitForPong = async (port: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Starts a redis-server of its own; `stop()` ends it and waits for it to exit. */
export const startRedis = async (): Promise<RedisServer> => {
  if (!redisServerPath) throw new Error('no redis-server on this machine');
  const port = await freePort();
  const child = spawn(redisServerPath, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    await Promise.race([
      waitForPong(port, 10_000),
      exited.then(([code]) => {
        throw new Error(`redis-server exited (${code}) before it answered: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
};
