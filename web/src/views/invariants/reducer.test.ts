import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCustom, makeRequest } from '../shared/testing.ts';
import { invariantRows, invariantsReducer } from './reducer.ts';

const broke = (t: number, invariant: string, detail: string) => makeCustom('invariant.violated', { invariant, detail }, t);

const DECLARED = [
  { id: 'open-circuit-blocks-calls', description: 'An open circuit lets no call through to payments.' },
  { id: 'half-open-probe-limit', description: 'A half-open circuit lets at most one probe through.' },
];

describe('invariants reducer', () => {
  it('counts breaks per invariant and keeps the latest detail and time', () => {
    const counts = reduceEvents(
      invariantsReducer,
      [
        at(100, makeRequest()),
        broke(1_200, 'half-open-probe-limit', 'req-7 was probe 2'),
        broke(1_250, 'half-open-probe-limit', 'req-9 was probe 3'),
        at(1_300, makeRequest()),
      ],
      2_000,
    );
    expect(counts).toEqual({ byId: { 'half-open-probe-limit': { count: 2, latest: { t: 1_250, detail: 'req-9 was probe 3' } } }, total: 2 });
  });

  it('lists every declared invariant in order, green at 0, then any id the run broke that the lab no longer declares', () => {
    const counts = reduceEvents(invariantsReducer, [broke(5, 'half-open-probe-limit', 'd1'), broke(9, 'gone', 'd2')], 10);
    expect(invariantRows(DECLARED, counts)).toEqual([
      { id: 'open-circuit-blocks-calls', description: DECLARED[0]!.description, count: 0, undeclared: false },
      { id: 'half-open-probe-limit', description: DECLARED[1]!.description, count: 1, latest: { t: 5, detail: 'd1' }, undeclared: false },
      { id: 'gone', description: 'Not declared by this lab.', count: 1, latest: { t: 9, detail: 'd2' }, undeclared: true },
    ]);
  });

  it('gives a model that later steps never change (so a scrubbed view stays put)', () => {
    const acc = invariantsReducer.init();
    invariantsReducer.step(acc, broke(1, 'x', 'first'));
    const before = invariantsReducer.view(acc, 1);
    invariantsReducer.step(acc, broke(2, 'x', 'second'));
    expect(before.byId.x).toEqual({ count: 1, latest: { t: 1, detail: 'first' } });
    expect(invariantsReducer.view(acc, 2).byId.x).toEqual({ count: 2, latest: { t: 2, detail: 'second' } });
  });
});
