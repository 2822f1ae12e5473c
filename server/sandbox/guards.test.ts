// What the guards take away from lab code before it loads (the runtime's ways to Node's
// built-in and native modules) and what they limit (console output), in real sandboxed
// sandboxes running the demo fixture.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxOutput } from './host.ts';
import { behaviour, compileDemoOk, DemoSandbox, demoFile, lineOf } from './fixtures/harness.ts';
import { SANDBOX_OUTPUT_LIMITS } from './output-limit.ts';

const behaviourFile = demoFile('behaviour.ts');
const started: DemoSandbox[] = [];

async function start(source: string, options?: ConstructorParameters<typeof DemoSandbox>[1]): Promise<DemoSandbox> {
  const bundle = await compileDemoOk({ 'behaviour.ts': source });
  const sandbox = new DemoSandbox(bundle.url, options);
  started.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.terminate()));
});

describe('the runtime’s ways to built-in and native modules', () => {
  // Each probe runs at the top of the learner's file: the lab fails to load, naming the line.
  it.each([
    ['process.getBuiltinModule', `(process as any).getBuiltinModule('child_process').execSync('id');`, 'process.getBuiltinModule()'],
    ['process.binding', `(process as any).binding('fs');`, 'process.binding()'],
    ['process._linkedBinding', `(process as any)._linkedBinding('fs');`, 'process._linkedBinding()'],
    ['process.dlopen', `process.dlopen({ exports: {} } as any, '/usr/lib/x86_64-linux-gnu/libc.so.6');`, 'process.dlopen()'],
    // Signals are not the permission model's business: SIGUSR1 would open the workbench's inspector.
    ['process._debugProcess', `(process as any)._debugProcess(process.ppid);`, 'process._debugProcess()'],
    ['process._kill', `(process as any)._kill(process.ppid, 9);`, 'process._kill()'],
    ['process.kill', `process.kill(process.ppid, 'SIGKILL');`, 'process.kill()'],
  ])('%s is refused with a clear error at the learner’s line', async (_name, probe, what) => {
    const source = behaviour('// probing', probe, `export const behave = (): string => 'unreachable';`);
    const sandbox = await start(source);
    const fatal = await sandbox.fatal;
    expect(fatal).toMatchObject({ kind: 'load', file: behaviourFile, line: lineOf(source, probe) });
    expect(fatal.message).toContain(`${what} is not available in the lab sandbox`);
  });

  it('cannot be put back, and refuses when called later too', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  const outcomes: string[] = [];`,
      `  try { (process as any).dlopen = () => 'mine'; } catch (e) { outcomes.push((e as Error).name); }`,
      `  try { (process as any).getBuiltinModule('fs'); } catch (e) { outcomes.push((e as Error).message); }`,
      `  return outcomes.join(' | ');`,
      `}`,
    );
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const { value } = await sandbox.next('result');
    expect(value).toMatch(/^TypeError \| process\.getBuiltinModule\(\) is not available in the lab sandbox/);
  });
});

describe('console output', () => {
  it('a console.log flood is rate-limited at the source and summarised with the exact count; the sandbox and the host go on', async () => {
    const floodLines = 1_000_000;
    const source = behaviour(
      `export function behave(): string {`,
      `  for (let i = 0; i < ${floodLines}; i++) console.log(i);`,
      `  console.log('after the flood');`,
      `  return 'done';`,
      `}`,
    );
    const sandbox = await start(source, { captureOutput: true, watchdogMs: 1500 });
    const outputs: SandboxOutput[] = [];
    sandbox.process.onOutput((output) => outputs.push(output));
    await sandbox.next('started');

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const began = performance.now();
    sandbox.send({ type: 'call', fn: 'behave' });
    expect((await sandbox.next('result', 30_000)).value).toBe('done');
    const loopMs = performance.now() - began;
    // The summary comes within a second of the first dropped line, once the loop lets its timer run.
    const dropped = () => outputs.reduce((sum, o) => sum + (o.dropped ?? 0), 0);
    const printed = () =>
      outputs
        .filter((o) => o.dropped === undefined)
        .map((o) => o.text)
        .join('')
        .split('\n')
        .filter((line) => line !== '');
    const deadline = performance.now() + 10_000;
    while (printed().length + dropped() < floodLines + 1 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    delay.disable();

    // Every line is either printed or counted in a summary: nothing vanishes unreported.
    expect(printed().length + dropped()).toBe(floodLines + 1);
    expect(printed().length).toBeLessThan(SANDBOX_OUTPUT_LIMITS.burst + 2 * SANDBOX_OUTPUT_LIMITS.linesPerSecond * (1 + loopMs / 1000));
    expect(printed().slice(0, 3)).toEqual(['0', '1', '2']);
    const summary = outputs.find((o) => o.dropped !== undefined)!;
    expect(summary.stream).toBe('stderr');
    expect(summary.text).toMatch(/^\[sandbox\] [\d,]+ lines of output dropped: the lab printed more than 200 lines a second/);
    expect(summary.text).toContain(summary.dropped!.toLocaleString('en-US'));
    // The sandbox goes on answering (the watchdog did not take the flood for a stuck process).
    expect(await sandbox.echo('after the flood')).toBe('after the flood');
    expect(sandbox.process.state).toBe('running');
    console.info(
      `console.log flood of ${floodLines.toLocaleString('en-US')} lines: the sandbox's loop took ${Math.round(loopMs)} ms; ` +
        `${printed().length} lines printed, ${dropped().toLocaleString('en-US')} dropped in ${outputs.filter((o) => o.dropped).length} summary(ies); ` +
        `host event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
    );
  });

  it('cuts a very long line, and process.stdout.write shares the budget', async () => {
    const source = behaviour(
      `export function behave(): string {`,
      `  console.log('x'.repeat(50_000));`,
      `  for (let i = 0; i < 2000; i++) process.stdout.write('tick ' + i + '\\n');`,
      `  return 'done';`,
      `}`,
    );
    const sandbox = await start(source, { captureOutput: true });
    const outputs: SandboxOutput[] = [];
    sandbox.process.onOutput((output) => outputs.push(output));
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    await sandbox.next('result');
    const deadline = performance.now() + 10_000;
    while (!outputs.some((o) => o.dropped) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const text = outputs.filter((o) => !o.dropped).map((o) => o.text).join('');
    const [first, ...rest] = text.split('\n').filter((line) => line !== '');
    expect(first).toBe(`${'x'.repeat(SANDBOX_OUTPUT_LIMITS.maxLineChars)}… (48,000 more characters cut)`);
    const dropped = outputs.reduce((sum, o) => sum + (o.dropped ?? 0), 0);
    expect(rest.length + dropped).toBe(2000);
    expect(dropped).toBeGreaterThan(0);
  });
});

describe('code built from strings', () => {
  it('eval and new Function are refused, so no import can be built that the compiler did not see', async () => {
    const source = behaviour(
      `export async function behave(): Promise<string> {`,
      `  const out: string[] = [];`,
      `  for (const code of ["import('node:child_process')", "import('fs')", "1 + 1"]) {`,
      `    try { await (0, eval)(code); out.push('ran'); } catch (e) { out.push(\`\${(e as Error).name}: \${(e as Error).message}\`); }`,
      `  }`,
      `  try { await new Function("return import('node:os')")(); out.push('ran'); } catch (e) { out.push(\`\${(e as Error).name}: \${(e as Error).message}\`); }`,
      `  return JSON.stringify(out);`,
      `}`,
    );
    const sandbox = await start(source);
    await sandbox.next('started');
    sandbox.send({ type: 'call', fn: 'behave' });
    const outcomes = JSON.parse((await sandbox.next('result')).value as string) as string[];
    expect(outcomes).toHaveLength(4);
    for (const outcome of outcomes) expect(outcome).toBe('EvalError: Code generation from strings disallowed for this context');
  });
});

describe('the environment', () => {
  it('lab code does not see the server’s credentials, only what Node needs', async () => {
    process.env.WORKBENCH_TOKEN = 'a-secret-token-1234';
    process.env.AWS_SECRET_ACCESS_KEY = 'another-secret';
    try {
      const sandbox = await start(behaviour(`export const behave = (): string => JSON.stringify(Object.keys(process.env));`));
      await sandbox.next('started');
      sandbox.send({ type: 'call', fn: 'behave' });
      const names = JSON.parse((await sandbox.next('result')).value as string) as string[];
      expect(names).not.toContain('WORKBENCH_TOKEN');
      expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
      expect(names).not.toContain('NODE_OPTIONS');
      if (process.env.PATH !== undefined) expect(names).toContain('PATH');
    } finally {
      delete process.env.WORKBENCH_TOKEN;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});
