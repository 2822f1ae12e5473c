import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyAnswer, ConnectionMonitor, isRunEnd, reconnectDelay, retryDelay, type ConnectionStatus } from './connection.ts';

/** A fake workbench behind the probe: its answer can change between calls. */
const fakeWorkbench = () => {
  let answer: 'down' | number = 200;
  const probe = vi.fn(async () => {
    if (answer === 'down') throw new TypeError('Failed to fetch');
    return { status: answer, contentType: 'application/json; charset=utf-8' };
  });
  return {
    probe,
    set: (next: 'down' | number) => {
      answer = next;
    },
  };
};

const monitorWith = (probe: () => Promise<{ status: number; contentType: string | null }>, hidden = () => false) =>
  new ConnectionMonitor({
    probe,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    now: () => Date.now(),
    isHidden: hidden,
    heartbeatMs: 5_000,
  });

describe('what an answer says', () => {
  it('401 is the token; 502/504 and a non-JSON 5xx are a gateway for a workbench that is gone; anything else is the workbench', () => {
    expect(classifyAnswer(401, 'application/json')).toBe('signed-out');
    expect(classifyAnswer(502, 'text/html')).toBe('unreachable');
    expect(classifyAnswer(504, null)).toBe('unreachable');
    expect(classifyAnswer(500, 'text/plain')).toBe('unreachable');
    expect(classifyAnswer(500, null)).toBe('unreachable');
    // The workbench's own errors are JSON: a 500 with an id, a 503 "database busy".
    expect(classifyAnswer(500, 'application/json; charset=utf-8')).toBe('answered');
    expect(classifyAnswer(503, 'application/json')).toBe('answered');
    expect(classifyAnswer(200, 'application/json')).toBe('answered');
    expect(classifyAnswer(404, 'application/json')).toBe('answered');
    expect(classifyAnswer(403, 'application/json')).toBe('answered');
  });

  it('backs off 1 s, 2 s, 4 s, 8 s, then every 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 50, 5000].map((n) => retryDelay(n))).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
    expect([0, 1, 2, 3, 4, 9].map(reconnectDelay)).toEqual([0, 0, 1000, 2000, 4000, 10000]);
  });

  it('only a 1000 close is a run’s end', () => {
    expect(isRunEnd(1000)).toBe(true);
    for (const code of [1001, 1006, 1011, 4404]) expect(isRunEnd(code)).toBe(false);
  });
});

describe('the connection monitor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a failure starts retrying with a capped backoff until the workbench answers again, then resolves the waiters', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    const seen: ConnectionStatus[] = [];
    monitor.subscribe(() => seen.push(monitor.getState().status));
    wb.set('down');
    monitor.reportUnreachable();
    expect(monitor.getState()).toMatchObject({ status: 'retrying', attempt: 0 });
    const waited = monitor.whenAvailable();
    let settled: string | undefined;
    void waited.then((status) => (settled = status));

    // The tries come at 1, 2, 4, 8, 10, 10 s after one another.
    const delays = [1000, 2000, 4000, 8000, 10000, 10000];
    for (const [index, delay] of delays.entries()) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(wb.probe, `before try ${index + 1}`).toHaveBeenCalledTimes(index);
      await vi.advanceTimersByTimeAsync(1);
      expect(wb.probe, `try ${index + 1}`).toHaveBeenCalledTimes(index + 1);
      expect(monitor.getState()).toMatchObject({ status: 'retrying', attempt: index + 1 });
    }
    expect(settled).toBeUndefined();

    // Back, same token: ok at the next try, and the waiting calls go on.
    wb.set(200);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(monitor.getState().status).toBe('ok');
    expect(settled).toBe('ok');
    expect(seen.at(-1)).toBe('ok');
    // No more tries once it answers (no heartbeat: not started).
    const calls = wb.probe.mock.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(wb.probe).toHaveBeenCalledTimes(calls);
    monitor.dispose();
  });

  it('a 401 stops retrying for good: signed out, and the waiters learn it', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    wb.set('down');
    monitor.reportUnreachable();
    const waited = monitor.whenAvailable();
    await vi.advanceTimersByTimeAsync(1000);
    expect(monitor.getState().status).toBe('retrying');
    // Restarted with a new random token.
    wb.set(401);
    await vi.advanceTimersByTimeAsync(2000);
    expect(monitor.getState().status).toBe('signed-out');
    await expect(waited).resolves.toBe('signed-out');
    await expect(monitor.whenAvailable()).resolves.toBe('signed-out');
    const calls = wb.probe.mock.calls.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(wb.probe).toHaveBeenCalledTimes(calls);
    // A network failure reported later does not turn it back into "retrying".
    monitor.reportUnreachable();
    expect(monitor.getState().status).toBe('signed-out');
    monitor.dispose();
  });

  it('signed out, a check once the learner opened the new URL (a fresh cookie) brings it back', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    monitor.reportSignedOut();
    wb.set(200);
    await monitor.check();
    expect(monitor.getState().status).toBe('ok');
  });

  it('a successful answer from any call ends the retrying at once', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    monitor.reportUnreachable();
    expect(monitor.getState().status).toBe('retrying');
    monitor.report('answered');
    expect(monitor.getState().status).toBe('ok');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(wb.probe).not.toHaveBeenCalled();
  });

  it('"Try now" asks at once and keeps the backoff going when still down', async () => {
    const wb = fakeWorkbench();
    wb.set('down');
    const monitor = monitorWith(wb.probe);
    monitor.reportUnreachable();
    await vi.advanceTimersByTimeAsync(1000);
    expect(monitor.getState()).toMatchObject({ status: 'retrying', attempt: 1 });
    await monitor.check();
    expect(wb.probe).toHaveBeenCalledTimes(2);
    expect(monitor.getState()).toMatchObject({ status: 'retrying', attempt: 2 });
    // Two checks at once are one probe.
    await Promise.all([monitor.check(), monitor.check()]);
    expect(wb.probe).toHaveBeenCalledTimes(3);
    monitor.dispose();
  });

  it('the heartbeat notices a workbench that went away while the page made no call', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    const stop = monitor.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(wb.probe).toHaveBeenCalledTimes(1);
    expect(monitor.getState().status).toBe('ok');
    wb.set('down');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(wb.probe).toHaveBeenCalledTimes(2);
    expect(monitor.getState().status).toBe('retrying');
    // Back: the retries find it, and the heartbeat goes on.
    wb.set(200);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(monitor.getState().status).toBe('ok');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(wb.probe).toHaveBeenCalledTimes(4);
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(wb.probe).toHaveBeenCalledTimes(4);
  });

  it('coming back to the tab checks at once when not ok', async () => {
    const wb = fakeWorkbench();
    const monitor = monitorWith(wb.probe);
    const handlers = new Map<string, () => void>();
    const stop = monitor.start({
      addEventListener: (type, handler) => void handlers.set(type, handler),
      removeEventListener: (type) => void handlers.delete(type),
    });
    monitor.reportSignedOut();
    handlers.get('focus')!();
    await vi.advanceTimersByTimeAsync(0);
    expect(wb.probe).toHaveBeenCalledTimes(1);
    expect(monitor.getState().status).toBe('ok');
    stop();
    expect(handlers.size).toBe(0);
  });
});

describe('the API client with the monitor', () => {
  let answer: 'down' | number;
  const calls: string[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    answer = 200;
    calls.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push(`${init?.method ?? 'GET'} ${url}`);
        if (answer === 'down') throw new TypeError('Failed to fetch');
        const body = answer === 200 ? '[]' : JSON.stringify({ error: { status: answer, message: 'wrong token' } });
        return new Response(init?.method === 'HEAD' ? null : body, { status: answer, headers: { 'content-type': 'application/json; charset=utf-8' } });
      }),
    );
  });
  afterEach(async () => {
    const { connection } = await import('./connection.ts');
    connection.reportAnswered();
    connection.dispose();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('a GET waits while the workbench is down and goes on when it is back', async () => {
    const { api } = await import('./client.ts');
    const { connection } = await import('./connection.ts');
    answer = 'down';
    let result: unknown;
    void api.patterns().then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.getState().status).toBe('retrying');
    await vi.advanceTimersByTimeAsync(1000 + 2000);
    expect(result).toBeUndefined();
    answer = 200;
    await vi.advanceTimersByTimeAsync(4000);
    expect(connection.getState().status).toBe('ok');
    expect(result).toEqual([]);
    // The call, the probes (HEAD) while down, the one that found it back, and the call again.
    expect(calls.filter((c) => c === 'GET /api/patterns')).toHaveLength(2);
    expect(calls.filter((c) => c === 'HEAD /api/patterns').length).toBeGreaterThanOrEqual(3);
  });

  it('a write fails at once with a message that says the workbench is not answering (it is never repeated)', async () => {
    const { api, ApiError } = await import('./client.ts');
    const { connection } = await import('./connection.ts');
    answer = 'down';
    const failed = await api.startRun('circuit-breaker').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as InstanceType<typeof ApiError>).status).toBe(0);
    expect((failed as Error).message).toMatch(/The workbench is not answering/);
    expect(calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(connection.getState().status).toBe('retrying');
  });

  it('a waiting GET fails with the sign-in message once the workbench answers with a new token', async () => {
    const { api, ApiError } = await import('./client.ts');
    const { connection } = await import('./connection.ts');
    answer = 'down';
    const pending = api.run('r1').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    answer = 401;
    await vi.advanceTimersByTimeAsync(1000);
    const failed = await pending;
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as InstanceType<typeof ApiError>).status).toBe(401);
    expect((failed as Error).message).toMatch(/restarted with a new token/);
    expect(connection.getState().status).toBe('signed-out');
  });

  it('a 401 answer signs out at once', async () => {
    const { api } = await import('./client.ts');
    const { connection } = await import('./connection.ts');
    answer = 401;
    await expect(api.patterns()).rejects.toMatchObject({ status: 401 });
    expect(connection.getState().status).toBe('signed-out');
  });
});
