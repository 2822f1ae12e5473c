// The process-level boundary on its own: a script run with exactly the flags and the
// environment a sandbox process gets, doing what a probe did to the workbench with pasted
// code. The guards and the compiler refuse these earlier (guards.test.ts, compile.test.ts);
// this is what still holds if code gets past them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRuntime } from './prebuilt.ts';
import { DEFAULT_LIMITS, makeSandboxFolder, sandboxEnv, sandboxExecArgv } from './spawn.ts';

const projectFile = path.resolve(import.meta.dirname, 'host.ts');
const addon = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
const outside = mkdtempSync(path.join(tmpdir(), 'workbench-outside-'));
const serverDatabase = path.join(outside, 'workbench.db');
writeFileSync(serverDatabase, 'SQLite format 3\0');

/** Runs `probe` (an ES module's body) in a process started as a sandbox is; returns what each attempt gave. */
async function probe(body: string): Promise<Record<string, string>> {
  await buildRuntime();
  const folder = makeSandboxFolder();
  try {
    const script = path.join(folder, 'probe.mjs');
    writeFileSync(
      script,
      `const out = {};
const attempt = async (name, fn) => { try { out[name] = 'allowed: ' + String(await fn()).slice(0, 40); } catch (e) { out[name] = (e.code ?? e.name) + ': ' + e.message; } };
${body}
process.stdout.write(JSON.stringify(out));`,
    );
    const output = execFileSync(process.execPath, [...sandboxExecArgv(folder, DEFAULT_LIMITS), script], {
      cwd: folder,
      env: sandboxEnv({ ...process.env, WORKBENCH_TOKEN: 'a-secret-token-1234' }),
      encoding: 'utf8',
    });
    return JSON.parse(output) as Record<string, string>;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

afterAll(() => rmSync(outside, { recursive: true, force: true }));

describe('the sandbox process boundary (Node’s permission model)', () => {
  it('refuses every probe snippet: processes, files outside its folder, native addons, workers, the inspector, the token', async () => {
    const results = await probe(`
const fs = await import('node:fs');
await attempt('execSync id', async () => (await import('node:child_process')).execSync('id'));
await attempt('spawn', async () => (await import('node:child_process')).spawnSync('id').error ?? 'spawned');
await attempt('read /etc/hostname', () => fs.readFileSync('/etc/hostname', 'utf8'));
await attempt('read the server database', () => fs.readFileSync(${JSON.stringify(serverDatabase)}));
await attempt('write the server source', () => fs.appendFileSync(${JSON.stringify(projectFile)}, '// owned'));
await attempt('process.binding', () => process.binding('fs'));
await attempt('native addon', () => process.dlopen({ exports: {} }, ${JSON.stringify(addon)}));
await attempt('worker thread', async () => new (await import('node:worker_threads')).Worker('setInterval(() => {}, 1000)', { eval: true }));
await attempt('inspector', async () => { const s = new (await import('node:inspector')).Session(); s.connect(); return 'connected'; });
await attempt('inspector.open', async () => (await import('node:inspector')).open(0));
await attempt('eval', () => eval('1 + 1'));
await attempt('token', () => process.env.WORKBENCH_TOKEN ?? 'absent');
await attempt('write own folder', () => { fs.writeFileSync('scratch.txt', 'ok'); return fs.readFileSync('scratch.txt', 'utf8'); });
`);
    const denied = /^ERR_ACCESS_DENIED: Access to this API has been restricted/;
    expect(results['execSync id']).toMatch(denied);
    expect(results['spawn']).toMatch(denied);
    expect(results['read /etc/hostname']).toMatch(denied);
    expect(results['read the server database']).toMatch(denied);
    expect(results['write the server source']).toMatch(denied);
    expect(results['process.binding']).toMatch(/^ERR_ACCESS_DENIED/);
    expect(results['native addon']).toMatch(/^ERR_DLOPEN_DISABLED: Cannot load native addon/);
    expect(results['worker thread']).toMatch(denied);
    expect(results['inspector']).toMatch(denied);
    expect(results['inspector.open']).toMatch(denied);
    expect(results['eval']).toBe('EvalError: Code generation from strings disallowed for this context');
    expect(results['token']).toBe('allowed: absent');
    expect(results['write own folder']).toBe('allowed: ok');
  });
});
