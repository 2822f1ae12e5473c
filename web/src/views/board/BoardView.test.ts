import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LabManifest, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { BoardView } from './BoardView.tsx';
import { jobsBoard, makeJobState as job } from './testing.ts';

const render = (events: TelemetryEvent[], nowT: number) =>
  renderToStaticMarkup(createElement(BoardView, { spec: jobsBoard(), events, revision: events.length, lab: {} as LabManifest, patternId: 'background-jobs', nowT }));

describe('the board view', () => {
  it('shows a column per state with its count, and a card per job with its fields', () => {
    const html = render([job({ jobId: 'job-1', to: 'waiting' }, 0), job({ jobId: 'job-1', from: 'waiting', to: 'failed', error: 'SMTP 503' }, 100)], 1000);
    expect(html).toContain('aria-label="Waiting: 0"');
    expect(html).toContain('aria-label="Failed: 1"');
    expect(html).toMatch(/job-1<\/span>/);
    expect(html).toContain('SMTP 503');
    // No error yet says nothing: only the failed job's card has an error line.
    expect(html.match(/>error</g)).toHaveLength(1);
  });
});
