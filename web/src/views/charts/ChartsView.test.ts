import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ChartsViewSpec, LabManifest, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { metricsCharts } from '../../../../patterns/kit/views/presets.ts';
import { at, makeCustom, makeMetrics, makeRetryAttempt } from '../shared/testing.ts';
import { ChartsView } from './ChartsView.tsx';

const lab = { id: 'lab', title: 'Lab', summary: '', module: 'lab.ts', faultPoints: [], params: [], views: [], defaultLoad: { model: 'open', rate: 10, clients: 1 }, invariants: [] } as unknown as LabManifest;

/** The view's text, as a learner reads it (the plots need a browser; headline and captions do not). */
const text = (spec: ChartsViewSpec, events: TelemetryEvent[], nowT = 3000) =>
  renderToStaticMarkup(createElement(ChartsView, { spec, events, revision: events.length, lab, patternId: 'p', nowT }))
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

const retry = (t: number) => at(t, makeRetryAttempt());
const events = [at(0, makeCustom('run.started')), at(1000, makeMetrics({ rate: 20 })), retry(1100), retry(1200), at(2000, makeMetrics({ rate: 20 }))];

describe('charts view', () => {
  it('draws the three metrics charts by default, headed by the latest figures', () => {
    const shown = text(metricsCharts(), events);
    expect(shown).toContain('20 req/s · 0.0% errors · p99 12 ms');
    expect(shown.indexOf('Throughput, req/s')).toBeLessThan(shown.indexOf('Error rate'));
    expect(shown.indexOf('Error rate')).toBeLessThan(shown.indexOf('Latency, ms'));
  });

  it('draws only the metrics the spec lists, in its order, then its rates', () => {
    const spec: ChartsViewSpec = { kind: 'charts', title: 'Retries', metrics: ['latency', 'throughput'], rates: [{ event: 'retry.attempt', label: 'retries' }] };
    const shown = text(spec, events);
    expect(shown).toContain('p99 12 ms · 20 req/s · 0 retries/s');
    expect(shown).not.toContain('Error rate');
    expect(shown.indexOf('Latency, ms')).toBeLessThan(shown.indexOf('Throughput, req/s'));
    expect(shown.indexOf('Throughput, req/s')).toBeLessThan(shown.indexOf('Retries per second'));
  });

  it('says what it waits for before anything is charted', () => {
    expect(text(metricsCharts(), [])).toContain('No metrics yet: they arrive once a second while the run goes.');
    expect(text({ kind: 'charts', title: 'Retries', metrics: [], rates: [{ event: 'retry.attempt', label: 'retries' }] }, [])).toContain('Nothing counted yet');
  });
});
