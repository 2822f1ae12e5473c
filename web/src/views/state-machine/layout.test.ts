import { describe, expect, it } from 'vitest';
import type { StateMachineViewSpec } from '../../../../patterns/kit/index.ts';
import { layoutDiagram, type EdgeShape } from './layout.ts';
import { circuitSpec } from './testing.ts';

const edge = (edges: readonly EdgeShape[], from: string, to: string) => edges.find((e) => e.from === from && e.to === to)!;
/** The middle point an edge passes through. */
const middleOf = (e: EdgeShape) => e.through[1]!;

describe('state diagram layout', () => {
  it('places the circuit’s states on the spec’s grid, the optional one only once visited', () => {
    const spec = circuitSpec();
    expect(layoutDiagram(spec, ['closed'], []).states.map((s) => s.id)).toEqual(['closed', 'open', 'half-open']);
    const withIsolated = layoutDiagram(spec, ['closed', 'isolated'], []);
    expect(withIsolated.states.map((s) => s.id)).toContain('isolated');
    // The diagram grows to make room for it.
    expect(withIsolated.viewBox.height).toBeGreaterThan(layoutDiagram(spec, ['closed'], []).viewBox.height);
  });

  it('curves the opposite transitions apart, each labelled on its own side', () => {
    const { edges } = layoutDiagram(circuitSpec(), ['closed'], []);
    expect(edges.map((e) => e.label?.text)).toEqual(['failures trip it', 'reset timeout', 'probe failed', 'probes ok']);
    const toHalfOpen = edge(edges, 'open', 'half-open');
    const backToOpen = edge(edges, 'half-open', 'open');
    // open is up and right of half-open: the way down bows right of the way up.
    expect(middleOf(toHalfOpen).x - middleOf(backToOpen).x).toBeGreaterThan(20);
    expect(toHalfOpen.label!.anchor).toBe('start');
    expect(backToOpen.label!.anchor).toBe('end');
    // closed → open runs along the top row and bows above it, its label over the curve.
    const trip = edge(edges, 'closed', 'open');
    expect(middleOf(trip).y).toBeLessThan(-22);
    expect(trip.label!.y).toBeLessThan(middleOf(trip).y);
  });

  it('draws an undeclared transition straight, without a label, and keeps everything inside the view box', () => {
    const layout = layoutDiagram(circuitSpec(), ['closed', 'isolated'], [{ from: 'closed', to: 'isolated' }]);
    const isolate = edge(layout.edges, 'closed', 'isolated');
    expect(isolate).toMatchObject({ declared: false });
    expect(isolate.label).toBeUndefined();
    expect(isolate.path).toMatch(/^M[\d. -]+L[\d. -]+$/);
    const { x, y, width, height } = layout.viewBox;
    for (const p of layout.edges.flatMap((e) => e.through)) {
      expect(p.x).toBeGreaterThanOrEqual(x);
      expect(p.x).toBeLessThanOrEqual(x + width);
      expect(p.y).toBeGreaterThanOrEqual(y);
      expect(p.y).toBeLessThanOrEqual(y + height);
    }
  });

  it('lays out any machine, with a state it does not know on a row of its own', () => {
    const spec: StateMachineViewSpec = {
      kind: 'state-machine',
      title: 'Light',
      event: 'light.changed',
      initial: 'red',
      states: [
        { id: 'red', label: 'Red', tone: 'bad', at: [0, 0] },
        { id: 'green', label: 'Green', tone: 'ok', at: [0, 1] },
      ],
      transitions: [
        { from: 'red', to: 'green', label: 'go' },
        { from: 'green', to: 'red', label: 'stop' },
        { from: 'red', to: 'red', label: 'still red' },
      ],
    };
    const layout = layoutDiagram(spec, ['red', 'blinking'], [{ from: 'red', to: 'blinking' }]);
    const blinking = layout.states.find((s) => s.id === 'blinking')!;
    expect(blinking).toMatchObject({ tone: 'neutral', y: 2 * 104 });
    // A vertical pair bows left and right: red → green (downwards) to the right.
    expect(middleOf(edge(layout.edges, 'red', 'green')).x).toBeGreaterThan(0);
    expect(middleOf(edge(layout.edges, 'green', 'red')).x).toBeLessThan(0);
    // A self-transition loops over its box.
    expect(edge(layout.edges, 'red', 'red').path).toMatch(/^M.* C/);
    // One column is still drawn at a readable width.
    expect(layout.viewBox.width).toBeGreaterThanOrEqual(440);
  });
});
