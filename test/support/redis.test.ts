import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { redisServerPath, startRedis } from './redis.ts';

/** One round trip of the Redis protocol: what `command` answers, as text. */
const ask = (port: number, command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
  });

describe.skipIf(!redisServerPath)('the tests’ own redis-server', () => {
  it('runs two side by side on free loopback ports, saving nothing, and stops each', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
      expect(await ask(a.port, 'PING')).toBe('+PONG\r\n');
      expect(await ask(a.port, 'CONFIG GET save')).toContain('save\r\n$0\r\n');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await expect(ask(a.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });
});
