import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PatternSources } from '../../../../../server/protocol/api.ts';
import { connection } from '../../../api/connection.ts';
import { loadPatternSources } from './sources.ts';

/** Answers every fetch with `status` and `body` (JSON), recording the paths asked for. */
const serve = (status: number, body: unknown) => {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (path: string) => {
    asked.push(path);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return asked;
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loadPatternSources', () => {
  it('asks the workbench for the pattern’s sources and answers its files', async () => {
    const body: PatternSources = {
      files: [
        { path: 'patterns/kit/index.ts', content: 'export {};\n' },
        { path: 'patterns/circuit-breaker/lab.ts', content: 'export const lab = 1;\n' },
      ],
    };
    const asked = serve(200, body);
    expect(await loadPatternSources('circuit-breaker')).toEqual(body.files);
    expect(asked).toEqual(['/api/patterns/circuit-breaker/sources']);
  });

  it('says which sources did not arrive and why, in the server’s words', async () => {
    serve(404, { error: { status: 404, message: "pattern 'gone' not found" } });
    const error = await loadPatternSources('gone').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      "could not fetch the kit and the gone files it checks your code against: pattern 'gone' not found. Reload the page to try again.",
    );
  });

  it('waits while the workbench does not answer, and carries on once it is back', async () => {
    const body: PatternSources = { files: [{ path: 'patterns/kit/index.ts', content: 'export {};\n' }] };
    let up = false;
    vi.stubGlobal('fetch', async () => {
      if (!up) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const loading = loadPatternSources('circuit-breaker');
    // A GET is not failed for a workbench that is away: the tab says it is retrying, and the load waits.
    await vi.waitFor(() => expect(connection.getState().status).toBe('retrying'));
    up = true;
    connection.reportAnswered();
    expect(await loading).toEqual(body.files);
  });

  it('passes on the sign-in hint of a 401', async () => {
    serve(401, { error: { status: 401, message: 'missing token' } });
    const error = (await loadPatternSources('circuit-breaker').catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('Not signed in: the workbench was restarted with a new token (or this tab never signed in). Open the URL it printed in its terminal (it carries the token) in this tab.');
  });
});
