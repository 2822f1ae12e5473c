import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { KeyedBarsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { pattern } from '../../../../patterns/middleware/pattern.ts';
import { at, makeRateLimit, type RateLimitFields } from '../shared/testing.ts';
import { KeyedBarsView } from './KeyedBarsView.tsx';

/** The middleware lab, whose rate-limiting view is the one this view grew from. */
const lab = pattern.labs[0]!;
const spec = lab.views.find((v): v is KeyedBarsViewSpec => v.kind === 'keyed-bars')!;

const decision = (t: number, fields: Partial<RateLimitFields> = {}) => at(t, makeRateLimit(fields));

/** The view's text, as a learner reads it. */
const text = (events: TelemetryEvent[], nowT = 2000) =>
  renderToStaticMarkup(createElement(KeyedBarsView, { spec, events, revision: events.length, lab, patternId: 'middleware', nowT }))
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('keyed-bars view, with the rate-limiting spec', () => {
  it('heads with the algorithm, the limit and the totals, and captions each client', () => {
    const shown = text([
      decision(10, { key: 'client-1', remaining: 1 }),
      decision(20, { key: 'client-1', allowed: false, remaining: 0 }),
      decision(30, { key: 'client-1', allowed: false, remaining: 0 }),
      decision(1500, { algorithm: 'token-bucket', remaining: 4 }),
    ]);
    expect(shown).toContain('Algorithm token-bucket · limit per window 10 · 2 allowed · 2 limited (50%) · switched at 1.50 s');
    expect(shown).toContain('client-0 1 allowed · 0 limited · remaining 4');
    expect(shown).toContain('client-1 1 allowed · 2 limited · remaining 0');
  });

  it('names the algorithm parameter’s default before any decision', () => {
    const shown = text([]);
    expect(shown).toContain('Algorithm fixed-window · 0 allowed · 0 limited (0%)');
    expect(shown).toContain('No ratelimit events yet.');
  });
});
