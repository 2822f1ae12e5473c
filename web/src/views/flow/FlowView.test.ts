import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FlowViewSpec, LabManifest, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { signupViews } from '../../../../patterns/event-bus/views.ts';
import { at, makeCustom, makeRequest } from '../shared/testing.ts';
import { FlowView } from './FlowView.tsx';

const eventBus = signupViews.find((view): view is FlowViewSpec => view.kind === 'flow')!;

const render = (events: TelemetryEvent[], nowT: number) =>
  renderToStaticMarkup(
    createElement(FlowView, { spec: eventBus, events, revision: events.length, lab: {} as LabManifest, patternId: 'event-bus', nowT }),
  );

describe('flow view', () => {
  it('draws the event bus: its columns, each handler with its last outcome, and the totals', () => {
    const html = render(
      [
        makeRequest({ target: 'POST /signup' }),
        makeCustom('event.published', { eventId: 'e1', name: 'user.created' }, 1),
        makeCustom('event.handled', { eventId: 'e1', handler: 'create-profile', ok: true, durationMs: 4, attempt: 1 }, 2),
        makeCustom('event.handled', { eventId: 'e1', handler: 'send-welcome-email', ok: false, durationMs: 9, attempt: 3, error: 'email answered 503' }, 3),
        makeCustom('event.deadletter', { eventId: 'e1', handler: 'send-welcome-email', attempts: 3, error: 'email answered 503' }, 3),
        at(4, makeRequest({ target: 'POST /signup', outcome: 'error' })),
      ],
      5,
    );
    expect(html).toContain('aria-label="Event bus: Publishers → Events → Handlers"');
    for (const heading of ['Publishers', 'Events', 'Handlers']) expect(html).toContain(`>${heading}</text>`);
    expect(html).toMatch(/class="flow-node box ok fresh"[^>]*><title>create-profile:/);
    expect(html).toMatch(/class="flow-node box failed fresh"[^>]*><title>send-welcome-email:/);
    expect(html).toMatch(/class="flow-node pill"[^>]*><title>user\.created:/);
    expect(html).toContain('last error: email answered 503');
    expect(html).toContain('1 dead letters');
    // Both edges into the handlers are lit, each in its handler's last outcome.
    expect(html.match(/class="flow-edge active ok"/g)).toHaveLength(1);
    expect(html.match(/class="flow-edge active failed"/g)).toHaveLength(1);
    expect(html).toMatch(/<b>2<\/b> requests \(<b class="bad-text">1<\/b> failed\)/);
  });

  it('says which columns are still empty', () => {
    const html = render([], 0);
    expect(html).toContain('no publishers yet');
    expect(html).toContain('no handlers yet');
  });
});
