import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../../../server/protocol/api.ts';
import {
  afterSolutionShown,
  groupByTask,
  initialCode,
  locationOf,
  parseLocalDraft,
  parseRevealed,
  revealedHints,
  solutionViewedNote,
  storedResults,
  summarise,
  tasksPassedOf,
  type LocalDraft,
} from './exercise-state.ts';

const makeCheck = (overrides: Partial<CheckOutcome> = {}): CheckOutcome => ({ name: 'a check', task: 1, status: 'pass', durationMs: 1, ...overrides });

const TASKS = [
  { number: 1, title: 'Admit probes' },
  { number: 2, title: 'Close after enough' },
];

describe('initialCode', () => {
  const exercise = { starter: 'starter', draft: null, lastAttempt: null };
  const attempt = { code: 'checked', status: 'fail', results: {}, createdAt: 1 };
  const local = (code: string, synced: boolean): LocalDraft => ({ code, savedAt: 5, synced });

  it('prefers the draft, then the last attempt, then the starter', () => {
    expect(initialCode({ ...exercise, draft: { code: 'draft', updatedAt: 2 }, lastAttempt: attempt }, undefined)).toEqual({ code: 'draft', source: 'draft' });
    expect(initialCode({ ...exercise, lastAttempt: attempt }, undefined)).toEqual({ code: 'checked', source: 'attempt' });
    expect(initialCode(exercise, undefined)).toEqual({ code: 'starter', source: 'starter' });
  });

  it('takes this browser’s copy when it never reached the workbench', () => {
    expect(initialCode({ ...exercise, draft: { code: 'draft', updatedAt: 2 } }, local('newer', false))).toEqual({ code: 'newer', source: 'local' });
    expect(initialCode(exercise, local('typed offline', false))).toEqual({ code: 'typed offline', source: 'local' });
  });

  it('ignores this browser’s copy once the workbench has it', () => {
    expect(initialCode({ ...exercise, draft: { code: 'draft', updatedAt: 2 } }, local('older', true))).toEqual({ code: 'draft', source: 'draft' });
    expect(initialCode({ ...exercise, draft: { code: 'same', updatedAt: 2 } }, local('same', false))).toEqual({ code: 'same', source: 'draft' });
  });
});

describe('parseLocalDraft', () => {
  it('reads what was stored and rejects anything else', () => {
    expect(parseLocalDraft(JSON.stringify({ code: 'x', savedAt: 3, synced: true }))).toEqual({ code: 'x', savedAt: 3, synced: true });
    expect(parseLocalDraft(JSON.stringify({ code: 'x', savedAt: 3 }))).toEqual({ code: 'x', savedAt: 3, synced: false });
    expect(parseLocalDraft(null)).toBeUndefined();
    expect(parseLocalDraft('{not json')).toBeUndefined();
    expect(parseLocalDraft(JSON.stringify({ code: 42, savedAt: 3 }))).toBeUndefined();
  });
});

describe('tasksPassedOf', () => {
  it('passes a task when all its checks pass, never a task without checks', () => {
    const tests = [makeCheck({ task: 1 }), makeCheck({ task: 1 }), makeCheck({ task: 2, status: 'fail' })];
    expect(tasksPassedOf(tests, [1, 2, 3])).toEqual([1]);
    expect(tasksPassedOf([makeCheck({ task: 2, status: 'error' })], [1, 2])).toEqual([]);
  });
});

describe('storedResults', () => {
  it('accepts stored results and rejects other shapes', () => {
    expect(storedResults({ status: 'fail', tests: [makeCheck()] })).toMatchObject({ status: 'fail', durationMs: 0 });
    expect(storedResults({ status: 'weird', tests: [] })).toBeUndefined();
    expect(storedResults({ status: 'pass' })).toBeUndefined();
    expect(storedResults(null)).toBeUndefined();
    expect(storedResults('pass')).toBeUndefined();
  });
});

describe('groupByTask', () => {
  it('puts each check under its task, in task order, and marks the tasks that pass', () => {
    const tests = [makeCheck({ name: 'b', task: 2, status: 'fail' }), makeCheck({ name: 'a', task: 1 }), makeCheck({ name: 'c', task: 2 })];
    const groups = groupByTask(TASKS, tests);
    expect(groups.map((g) => [g.task, g.passed, g.checks.map((c) => c.name)])).toEqual([
      [1, true, ['a']],
      [2, false, ['b', 'c']],
    ]);
  });

  it('keeps tasks without results and collects checks of unknown tasks last', () => {
    const groups = groupByTask(TASKS, [makeCheck({ task: 9, name: 'stray' })]);
    expect(groups.map((g) => [g.task, g.passed, g.checks.length])).toEqual([
      [1, false, 0],
      [2, false, 0],
      [0, true, 1],
    ]);
  });
});

describe('summarise', () => {
  it('says how many checks pass, or what went wrong', () => {
    const results = (status: 'pass' | 'fail' | 'error', tests: CheckOutcome[], message?: string) => ({ status, tests, durationMs: 1, ...(message && { message }) });
    expect(summarise(results('pass', [makeCheck(), makeCheck()]))).toBe('All 2 checks pass');
    expect(summarise(results('fail', [makeCheck(), makeCheck({ status: 'fail' }), makeCheck({ status: 'error' })]))).toBe('1 of 3 checks pass');
    expect(summarise(results('error', [], 'Your code does not compile: Unexpected ";"'))).toBe('Your code does not compile: Unexpected ";"');
    expect(summarise(results('fail', []))).toBe('No checks ran');
  });
});

describe('locationOf', () => {
  it('joins file, line and column that are there', () => {
    expect(locationOf({ file: 'patterns/cb/x.ts', line: 3, column: 7 })).toBe('patterns/cb/x.ts:3:7');
    expect(locationOf({ file: 'patterns/cb/x.ts', line: 3 })).toBe('patterns/cb/x.ts:3');
    expect(locationOf({ line: 3 })).toBeUndefined();
  });
});

describe('hints', () => {
  it('shows the first revealed hints only', () => {
    expect(revealedHints(['a', 'b', 'c'], 2)).toEqual(['a', 'b']);
    expect(revealedHints(['a'], 5)).toEqual(['a']);
    expect(revealedHints(['a'], -1)).toEqual([]);
  });

  it('reads stored reveal counts, dropping anything unreadable', () => {
    expect(parseRevealed(JSON.stringify({ general: 1, '2': 2, bad: 'x' }))).toEqual({ general: 1, '2': 2 });
    expect(parseRevealed('[1]')).toEqual({});
    expect(parseRevealed('nope')).toEqual({});
    expect(parseRevealed(null)).toEqual({});
  });
});

describe('solutionViewedNote', () => {
  it('notes a solution viewed before solving: on its own, or beside "solved"', () => {
    expect(solutionViewedNote('started', true)).toBe('solution viewed');
    expect(solutionViewedNote('new', true)).toBe('solution viewed');
    expect(solutionViewedNote('solved', true)).toBe('solved after viewing the solution');
  });

  it('says nothing when the solution was not viewed, or the server does not say (an older one)', () => {
    for (const status of ['new', 'started', 'solved'] as const) {
      expect(solutionViewedNote(status, false)).toBeUndefined();
      expect(solutionViewedNote(status, undefined)).toBeUndefined();
    }
  });
});

describe('afterSolutionShown', () => {
  it('starts a new exercise and takes what the workbench noted', () => {
    expect(afterSolutionShown({ status: 'new', solutionViewed: false }, true)).toEqual({ status: 'started', solutionViewed: true });
    expect(afterSolutionShown({ status: 'started', solutionViewed: false }, true)).toEqual({ status: 'started', solutionViewed: true });
  });

  it('leaves a solved exercise solved and, when the workbench did not note the view, not viewed', () => {
    expect(afterSolutionShown({ status: 'solved', solutionViewed: false }, false)).toEqual({ status: 'solved', solutionViewed: false });
    expect(afterSolutionShown({ status: 'solved', solutionViewed: true }, true)).toEqual({ status: 'solved', solutionViewed: true });
  });
});
