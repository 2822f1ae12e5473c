import { describe, expect, it } from 'vitest';
import { isSameFile, modelUri, patternFilePath, repoPathOfUri, shortLabel } from './paths.ts';

describe('model URIs mirror the repository', () => {
  it('puts pattern and kit files where their imports point', () => {
    expect(modelUri(patternFilePath('circuit-breaker', 'errors.ts'))).toBe('file:///patterns/circuit-breaker/errors.ts');
    expect(modelUri('patterns/kit/index.ts')).toBe('file:///patterns/kit/index.ts');
    // '../kit/index.ts' from a pattern file lands on the kit model.
    expect(new URL('../kit/index.ts', modelUri('patterns/circuit-breaker/circuit-breaker.ts')).href).toBe(
      modelUri('patterns/kit/index.ts'),
    );
  });
  it('maps a URI back to its repository path', () => {
    expect(repoPathOfUri('file:///patterns/kit/clock.ts')).toBe('patterns/kit/clock.ts');
    expect(repoPathOfUri(modelUri('patterns/event-bus/dead-letters.ts'))).toBe('patterns/event-bus/dead-letters.ts');
  });
  it('labels tabs without the patterns/ prefix', () => {
    expect(shortLabel('patterns/kit/clock.ts')).toBe('kit/clock.ts');
  });
});

describe('isSameFile', () => {
  it('matches the repo-relative path the server reports', () => {
    expect(isSameFile('patterns/circuit-breaker/breakers.ts', 'circuit-breaker', 'breakers.ts')).toBe(true);
  });
  it('matches a bare file name and an absolute path or file URL', () => {
    expect(isSameFile('breakers.ts', 'circuit-breaker', 'breakers.ts')).toBe(true);
    expect(isSameFile('/home/me/wb/patterns/circuit-breaker/breakers.ts', 'circuit-breaker', 'breakers.ts')).toBe(true);
    expect(isSameFile('file:///home/me/wb/patterns/circuit-breaker/breakers.ts', 'circuit-breaker', 'breakers.ts')).toBe(true);
    expect(isSameFile('C:\\wb\\patterns\\circuit-breaker\\breakers.ts', 'circuit-breaker', 'breakers.ts')).toBe(true);
  });
  it('does not match a file whose name merely ends the same way, or another pattern’s file', () => {
    expect(isSameFile('patterns/circuit-breaker/circuit-breaker.ts', 'circuit-breaker', 'breaker.ts')).toBe(false);
    expect(isSameFile('patterns/middleware/errors.ts', 'circuit-breaker', 'errors.ts')).toBe(false);
    expect(isSameFile('patterns/kit/clock.ts', 'circuit-breaker', 'breakers.ts')).toBe(false);
    expect(isSameFile(undefined, 'circuit-breaker', 'breakers.ts')).toBe(false);
  });
});
