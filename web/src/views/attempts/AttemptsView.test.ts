/** The retry labs' own specs drawn end to end (server-rendered: no browser needed). */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AttemptsViewSpec, LabManifest, TelemetryEvent, ViewSpec } from '../../../../patterns/kit/index.ts';
import { contentionViews, flakyViews } from '../../../../patterns/retry-backoff/views.ts';
import { at, makeCustom, makeOutbound, makeRequest } from '../shared/testing.ts';
import { AttemptsView } from './AttemptsView.tsx';
import { makeRetryGiveUp, makeRetryWait } from './testing.ts';

const attemptsOf = (views: ViewSpec[]): AttemptsViewSpec => views.find((v): v is AttemptsViewSpec => v.kind === 'attempts')!;

const render = (spec: AttemptsViewSpec, events: TelemetryEvent[]) =>
  renderToStaticMarkup(
    createElement(AttemptsView, { spec, events, revision: events.length, lab: {} as LabManifest, patternId: 'retry-backoff', nowT: 10_000 }),
  );

/** `ok` retried once after a 100 ms wait; `lost` failed once and gave up. */
const events = [
  at(10, makeOutbound({ parentId: 'ok', attempt: 1, outcome: 'error', status: 503, durationMs: 10 })),
  makeRetryWait({ t: 10, requestId: 'ok', attempt: 1, delayMs: 100 }),
  at(120, makeOutbound({ parentId: 'ok', attempt: 2, durationMs: 10 })),
  at(120, makeRequest({ id: 'ok', durationMs: 120 })),
  at(30, makeOutbound({ parentId: 'lost', attempt: 1, outcome: 'error', status: 400, durationMs: 10 })),
  makeRetryGiveUp({ t: 30, requestId: 'lost', attempts: 1 }),
  at(30, makeRequest({ id: 'lost', outcome: 'error', status: 502, durationMs: 30 })),
].sort((a, b) => a.t - b.t);

describe('attempts view', () => {
  it('draws the flaky lab’s requests, waits and give-ups', () => {
    const html = render(attemptsOf(flakyViews), events);
    expect(html).toContain('<b>3</b> downstream calls · <b>1</b> retries');
    expect(html).toContain('gave up');
    expect(html).toContain('avg wait <b>100 ms</b>');
    expect(html).toContain('waiting to retry');
    expect(html).toContain('wait 100 ms after attempt 1: HTTP 503');
    expect(html).toContain('class="gantt-result gave-up"');
    expect(html).toContain('Change a parameter');
  });

  it('draws the contention lab’s summary rows in its own columns', () => {
    const summary = makeCustom(
      'retry.summary',
      { strategy: 'full-jitter', clients: 100, totalCalls: 312, doneAtMs: 4200, succeeded: 100, failed: 2, recoveryPeakPer100ms: 40 },
      200,
    );
    const html = render(attemptsOf(contentionViews), [...events, summary]);
    expect(html).toContain('Strategies compared (one row per herd)');
    expect(html).toContain('<th>calls / client</th>');
    expect(html).toContain('<td>full-jitter</td><td>100</td><td>312</td><td>3.12</td><td>40</td><td class="ok-text">100</td><td class="bad-text">2</td><td>4.20 s</td>');
  });

  it('leaves out waits and give-ups when the spec names none', () => {
    const html = render({ kind: 'attempts', title: 'Attempts' }, events);
    expect(html).toContain('<b>3</b> downstream calls · <b>1</b> retries');
    expect(html).not.toContain('gave up');
    expect(html).not.toContain('avg wait');
    expect(html).not.toContain('waiting to retry');
  });
});
