// Real sandbox processes, real limits: each case is one thing learner code can
// do wrong, and each must end only its own sandbox, with the learner's line.
import { afterEach, describe, expect, it } from 'vitest';
import { behaviour, compileDemoOk, DemoSandbox, demoFile, lineOf } from './fixtures/harness.ts';

const behaviourFile = demoFile('behaviour.ts');
const started: DemoSandbox[] = [];

/** Compiles `behaviour.ts` as given and starts it; the sandbox is ended after the test. */
async function start(source?: string, options?: ConstructorParameters<typeof DemoSandbox>[1]): Promise<DemoSandbox> {
  const bundle = await compileDemoOk(source === undefined ? {} : { 'behaviour.ts': source });
  const sandbox = new DemoSandbox(bundle.url, options);
  started.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.terminate()));
});

describe('Sandbox', () => {
  it('runs the lab bundle, passes messages both ways and ends on request', async () => {
    const sandbox = await start();
    expect((await sandbox.next('started')).exports).toContain('behave');
    expect(await sandbox.process.ready).toBe(true);
    sandbox.send({ type: 'call', fn: 'behave' });
    expect((await sandbox.next('result')).value).toBe('reference behaviour');
    sandbox.send({ type: 'call', fn: 'double', args: [21] });
    expect((await sandbox.next('result')).value).toBe(42);

    const fatals: unknown[] = [];
    sandbox.process.onFatal((f) => fatals.push(f));
    await sandbox.terminate();
    expect(await sandbox.process.exited).toMatchObject({ requested: true });
    expect(sandbox.process.state).toBe('exited');
    expect(fatals).toEqual([]);
    sandbox.process.post({ type: 'echo', value: 'ignored once ended' });
  });

  it('runs the learner override, not the file on disk', async () => {
    const sandbox = await start(behaviour(`export const behave = (): string => 'edited';`));
    sandbox.send({ type: 'call', fn: 'behave' });
    expect((await sandbox.next('result')).value).toBe('edited');
    sandbox.send({ type: 'call', fn: 'describeBehaviour' });
    expect((await sandbox.next('result')).value).toBe('override');
  });

  it('shares one kit module between the lab bundle and the engine (instanceof works both ways)', async () => {
    const sandbox = await start();
    sandbox.send({ type: 'kit-identity' });
    expect(await sandbox.next('kit-identity')).toMatchObject({ bundleErrorIsEngineClass: true, engineErrorIsBundleClass: true });
  });

  it('stops a sync infinite loop, names its line, and leaves the host and other sandboxes running', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  let spins = 0;`,
      `  while (true) { // stuck here`,
      `    spins++;`,
      `  }`,
      `}`,
    );
    const [stuck, healthy] = await Promise.all([start(source), start()]);
    await Promise.all([stuck.next('started'), healthy.next('started')]);

    // The host's own event loop keeps turning while the sandbox spins.
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 20);

    stuck.send({ type: 'call', fn: 'behave' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await healthy.echo('during the loop')).toBe('during the loop');

    const fatal = await stuck.fatal;
    clearInterval(ticker);
    // The pause lands somewhere in the loop: its head or its body.
    expect(fatal).toMatchObject({ kind: 'infinite-loop', file: behaviourFile });
    expect([lineOf(source, 'stuck here'), lineOf(source, 'spins++')]).toContain(fatal.line);
    expect(fatal.message).toContain(`${behaviourFile}:${fatal.line}`);
    expect(await stuck.process.exited).toMatchObject({ requested: false, fatal: { kind: 'infinite-loop' } });
    expect(await healthy.echo('after the loop')).toBe('after the loop');
    // A host blocked by the stuck sandbox would show one gap as long as the whole stall.
    expect(longestGap).toBeLessThan(1000);
  });

  it('stops an async infinite loop (endless microtasks) and names its line', async () => {
    const source = behaviour(
      `export async function behave(): Promise<string> {`,
      `  for (;;) {`,
      `    await null; // stuck here`,
      `  }`,
      `}`,
    );
    const [stuck, healthy] = await Promise.all([start(source), start()]);
    await stuck.next('started');
    stuck.send({ type: 'call', fn: 'behave' });
    const fatal = await stuck.fatal;
    expect(fatal).toMatchObject({ kind: 'infinite-loop', file: behaviourFile });
    expect([lineOf(source, 'for (;;)'), lineOf(source, 'stuck here')]).toContain(fatal.line);
    expect(await healthy.echo('still here')).toBe('still here');
  });

  it('ends a process stuck where no loop guard sees it (a regular expression backtracking for ever), without a line', async () => {
    const source = behaviour(`export function behave(): boolean {`, `  return /^(a+)+$/.test('a'.repeat(64) + 'b');`, `}`);
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    // How long it was silent depends on the machine's load: at least the watchdog's 0.7 s.
    expect(fatal).toEqual({ kind: 'infinite-loop', message: expect.stringMatching(/^The code stopped responding for over [\d.]+ s \(an infinite loop\?\) and was stopped.$/) });
    expect(await sandbox.process.exited).toMatchObject({ requested: false, fatal: { kind: 'infinite-loop' } });
  });

  it('ends a 4 GB Buffer bomb (memory the heap limit does not count) as out of memory, and the memory comes back', async () => {
    const source = behaviour(`export function behave(): number {`, `  return Buffer.alloc(4 * 1024 ** 3 - 1, 1).length; // allocates here`, `}`);
    const sandbox = await start(source, { watchdogMs: 1500 });
    await sandbox.next('started');
    const pid = sandbox.process.pid!;
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'out-of-memory', message: expect.stringMatching(/its process used \d+ MB, over the 640 MB the sandbox allows/) });
    await sandbox.process.exited;
    // The process is gone, and its memory with it.
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('reports an allocation V8 refuses (an ArrayBuffer of a terabyte) as out of memory, at its line', async () => {
    const source = behaviour(`export function behave(): number {`, `  return new ArrayBuffer(2 ** 40).byteLength; // allocates here`, `}`);
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    expect(await sandbox.fatal).toMatchObject({
      kind: 'out-of-memory',
      message: expect.stringContaining('The lab ran out of memory: RangeError: Array buffer allocation failed'),
      file: behaviourFile,
      line: lineOf(source, 'allocates here'),
    });
  });

  it('ends a memory bomb (a growing array of objects) as out-of-memory, naming the limit', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  const hoard: object[] = [];`,
      `  for (let i = 0; ; i++) hoard.push({ i, label: 'item ' + i });`,
      `}`,
    );
    // A watchdog that waits long enough for V8 itself to stop the process at its limit.
    const sandbox = await start(source, { limits: { maxOldGenerationSizeMb: 48 }, watchdogMs: 20_000 });
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'out-of-memory', message: expect.stringContaining('the 48 MB heap') });
    expect(await sandbox.process.exited).toMatchObject({ fatal: { kind: 'out-of-memory' } });
    const healthy = await start();
    expect(await healthy.echo('the host goes on')).toBe('the host goes on');
  });

  it('calls a stuck sandbox holding most of its heap out of memory, at its line', async () => {
    // Fills over half the heap, then stops responding: what the watchdog sees of a memory
    // bomb that has not reached the limit yet.
    const source = behaviour(
      `const hoard: object[] = [];`,
      `export function behave(): string {`,
      `  while (hoard.length % 10_000 !== 0 || process.memoryUsage().heapUsed < 40 * 2 ** 20) {`,
      `    hoard.push({ label: 'item ' + hoard.length });`,
      `  }`,
      `  for (;;) {} // stuck here`,
      `}`,
    );
    // The longer watchdog lets the filling finish first even on a busy machine.
    const sandbox = await start(source, { limits: { maxOldGenerationSizeMb: 64 }, watchdogMs: 2000 });
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'out-of-memory', file: behaviourFile });
    // Stuck in the spin, or (on a very busy machine) still filling past half the heap.
    const filling = [lineOf(source, 'while (hoard.length'), lineOf(source, 'hoard.push')];
    expect([lineOf(source, 'stuck here'), ...filling]).toContain(fatal.line);
    expect(fatal.message).toMatch(/held \d+ MB of the 64 MB heap/);
  });

  it('ends a memory bomb that reaches the heap limit before the watchdog fires', async () => {
    const source = behaviour(
      `export async function behave(): Promise<string> {`,
      `  const hoard: string[][] = [];`,
      `  for (;;) {`,
      `    hoard.push(new Array(100_000).fill('x'));`,
      `    await new Promise((resolve) => setImmediate(resolve));`,
      `  }`,
      `}`,
    );
    const sandbox = await start(source, { limits: { maxOldGenerationSizeMb: 48 } });
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'out-of-memory', message: expect.stringContaining('reached the 48 MB heap') });
  });

  it('reports a throw while the lab loads as a load error at its line', async () => {
    const source = behaviour(`const limit = Number('not a number');`, `if (Number.isNaN(limit)) throw new RangeError('limit is not a number'); // throws here`, `export const behave = (): string => 'x';`);
    const sandbox = await start(source);
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({
      kind: 'load',
      message: 'The lab failed to load: RangeError: limit is not a number',
      file: behaviourFile,
      line: lineOf(source, 'throws here'),
    });
    expect(fatal.stack).toContain('RangeError: limit is not a number');
    expect(await sandbox.process.ready).toBe(false);
  });

  it('reports a load that never finishes (a top-level await that never settles) as a load error after loadDeadlineMs', async () => {
    // The interval keeps the process alive: without it the process would just end, exit code 13.
    const source = behaviour(`setInterval(() => {}, 1000);`, `await new Promise(() => {});`, `export const behave = (): string => 'never';`);
    const sandbox = await start(source, { loadDeadlineMs: 300 });
    expect(await sandbox.fatal).toMatchObject({
      kind: 'load',
      message: expect.stringMatching(/did not finish loading within 0.3 s: does it `await` something at the top level that never settles\?/),
    });
    expect(await sandbox.process.ready).toBe(false);
  });

  it('reports an unhandled rejection with its line', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  void Promise.reject(new Error('nobody awaited me')); // rejects here`,
      `  return 'fine';`,
      `}`,
    );
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    expect(await sandbox.fatal).toMatchObject({
      kind: 'unhandled-rejection',
      message: 'Unhandled promise rejection: Error: nobody awaited me',
      file: behaviourFile,
      line: lineOf(source, 'rejects here'),
    });
  });

  it('reports an uncaught exception from a timer with its line', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  setTimeout(() => {`,
      `    throw new TypeError('too late'); // throws here`,
      `  }, 1);`,
      `  return 'fine';`,
      `}`,
    );
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    expect(await sandbox.fatal).toMatchObject({
      kind: 'uncaught',
      message: 'Uncaught TypeError: too late',
      file: behaviourFile,
      line: lineOf(source, 'throws here'),
    });
  });

  it('turns process.exit in lab code into an exit error naming the caller', async () => {
    const source = behaviour(`export function behave(): string {`, `  process.exit(3); // exits here`, `}`);
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const line = lineOf(source, 'exits here');
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'exit', file: behaviourFile, line });
    expect(fatal.message).toContain('process.exit(3)');
    expect(fatal.message).toContain(`${behaviourFile}:${line}`);
  });

  it('refuses process.kill in lab code', async () => {
    const source = behaviour(`export function behave(): string {`, `  process.kill(process.pid, 'SIGKILL'); // kills here`, `  return 'alive';`, `}`);
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    // The throw escapes the fixture entry's async message listener: a rejection nobody handles.
    expect(await sandbox.fatal).toMatchObject({
      kind: 'unhandled-rejection',
      message: expect.stringContaining('process.kill() is not available'),
      line: lineOf(source, 'kills here'),
    });
  });

  it('reports a stack overflow at the recursive line', async () => {
    const source = behaviour(`export function behave(depth = 0): number {`, `  return behave(depth + 1) + 1;`, `}`);
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const fatal = await sandbox.fatal;
    // Thrown in the fixture entry's async message listener: a rejection nobody handles.
    expect(fatal).toMatchObject({
      kind: 'unhandled-rejection',
      message: 'Unhandled promise rejection: RangeError: Maximum call stack size exceeded',
      file: behaviourFile,
    });
    // V8 overflows either at the function's entry or at the recursive call.
    expect([1, 2]).toContain(fatal.line);
  });

  it('captures console output when asked to', async () => {
    const source = behaviour(`export function behave(): string {`, `  console.log('hello from the lab');`, `  return 'logged';`, `}`);
    const sandbox = await start(source, { captureOutput: true });
    let output = '';
    sandbox.process.onOutput(({ stream, text }) => (output += `${stream}:${text}`));
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    await sandbox.next('result');
    await expect.poll(() => output).toContain('stdout:hello from the lab');
  });

  it('lets the engine end the sandbox on purpose without a fatal', async () => {
    const sandbox = await start();
    await sandbox.next('started');
    sandbox.send({ type: 'end' });
    expect(await sandbox.process.exited).toEqual({ code: 0, requested: false });
  });

  it('reports an entry module that cannot load as a load error', async () => {
    const sandbox = new DemoSandbox(undefined, { entry: new URL('./fixtures/no-such-entry.ts', import.meta.url) });
    started.push(sandbox);
    expect(await sandbox.fatal).toMatchObject({ kind: 'load' });
  });
});
