import { describe, expect, it } from 'vitest';
import { parseProgressFile, progressFileName } from './progress-file.ts';

const EXPORT = {
  format: 'patterns-workbench-progress',
  version: 1,
  exportedAt: '2026-03-14T10:00:00.000Z',
  progress: [{ exerciseId: 'circuit-breaker.02-limit-half-open-probes', status: 'solved', tasksPassed: [1, 2], attempts: 3, solvedAt: 1, solutionViewed: false, updatedAt: 1 }],
  drafts: [],
};

describe('progressFileName', () => {
  it('names the file after the local date', () => {
    expect(progressFileName(new Date(2026, 2, 4, 23, 30))).toBe('patterns-workbench-progress-2026-03-04.json');
  });
});

describe('parseProgressFile', () => {
  it('accepts an export and counts what it holds', () => {
    const parsed = parseProgressFile(JSON.stringify(EXPORT));
    expect(parsed).toMatchObject({ ok: true, exercises: 1, drafts: 0 });
  });

  it('says why a file is not an export', () => {
    const error = (text: string) => {
      const parsed = parseProgressFile(text, 'notes.json');
      return parsed.ok ? undefined : parsed.error;
    };
    expect(error('')).toBe('notes.json is empty.');
    expect(error('{oops')).toMatch(/^notes\.json is not JSON \(/);
    expect(error('[1, 2]')).toMatch(/expected a JSON object/);
    expect(error(JSON.stringify({ ...EXPORT, format: 'something-else' }))).toMatch(/is not a Patterns Workbench progress export/);
    expect(error(JSON.stringify({ ...EXPORT, version: 2 }))).toMatch(/version 2; this workbench reads version 1/);
    expect(error(JSON.stringify({ ...EXPORT, drafts: undefined }))).toMatch(/missing its "progress" or "drafts" list/);
  });
});
