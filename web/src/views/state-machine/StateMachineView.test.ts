import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LabManifest, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { at, makeOutbound, makeRequest } from '../shared/testing.ts';
import { StateMachineView } from './StateMachineView.tsx';
import { circuitSpec, makeCircuitTransition as circuit } from './testing.ts';

const render = (events: TelemetryEvent[], nowT: number) =>
  renderToStaticMarkup(
    createElement(StateMachineView, { spec: circuitSpec(), events, revision: events.length, lab: {} as LabManifest, patternId: 'circuit-breaker', nowT }),
  );

describe('the state-machine view, drawing the payments circuit', () => {
  it('shows the circuit closed before any transition, with what to do to trip it', () => {
    const html = render([], 1000);
    expect(html).toContain('aria-label="Circuit state: Closed"');
    expect(html).toContain('<strong>payments</strong>');
    expect(html).toContain('Make the downstream fail to trip it.');
    // The optional isolated state is not drawn until visited.
    expect(html).not.toContain('Isolated');
    expect(html).toContain('aria-label="Inbound requests"');
  });

  it('lights the current state, highlights the latest edge, counts the probes and lists the reasons', () => {
    const events = [
      at(100, makeRequest({ outcome: 'error' })),
      circuit({ from: 'closed', to: 'open', reason: 'failure-threshold' }, 1000),
      circuit({ from: 'open', to: 'half-open', reason: 'reset-timeout' }, 6000),
      at(6100, makeOutbound({ outcome: 'ok' })),
    ];
    const html = render(events, 6500);
    expect(html).toContain('aria-label="Circuit state: Half-open"');
    expect(html).toMatch(/class="sm-state tone-warn current"/);
    expect(html).toMatch(/class="sm-edge hot tone-warn"><path d="[^"]+"[^>]*><\/path><text[^>]*>reset timeout<\/text>/);
    // A new transition's edge flashes.
    expect(html).toContain('sm-edge-flash tone-warn');
    expect(html).toContain('probes: <span class="ok-text">1 ok</span>');
    expect(html).toContain('(reset-timeout)');
    expect(html).toContain('(failure-threshold)');
  });
});
