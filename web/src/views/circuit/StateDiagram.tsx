/**
 * The circuit's state machine as a diagram: closed, open and half-open (and
 * isolated once it is used), the current state lit in its colour, the last
 * transition's edge highlighted — and flashing for a moment when it is new.
 */
import { memo, useId } from 'react';
import type { Transition } from './reducer.ts';

interface Point {
  x: number;
  y: number;
}

const NODES: Record<string, Point> = {
  closed: { x: 90, y: 62 },
  open: { x: 350, y: 62 },
  'half-open': { x: 220, y: 168 },
  isolated: { x: 220, y: 262 },
};

interface Edge {
  from: string;
  to: string;
  path: string;
  label: string;
  labelAt: Point;
  anchor?: 'start' | 'middle' | 'end';
}

/** The edges a circuit breaker always has, drawn whether used yet or not. */
const CORE_EDGES: Edge[] = [
  { from: 'closed', to: 'open', path: 'M138 50 Q220 6 302 50', label: 'failures trip it', labelAt: { x: 220, y: 22 } },
  { from: 'open', to: 'half-open', path: 'M372 84 Q378 158 272 170', label: 'reset timeout', labelAt: { x: 384, y: 138 }, anchor: 'start' },
  { from: 'half-open', to: 'open', path: 'M246 148 Q300 120 330 86', label: 'probe failed', labelAt: { x: 292, y: 112 }, anchor: 'end' },
  { from: 'half-open', to: 'closed', path: 'M168 170 Q66 164 72 86', label: 'probes ok', labelAt: { x: 64, y: 140 }, anchor: 'end' },
];

const edgeBetween = (from: string, to: string): Edge => {
  const core = CORE_EDGES.find((e) => e.from === from && e.to === to);
  if (core) return core;
  if (from === 'open' && to === 'closed') {
    return { from, to, path: 'M302 72 Q220 104 138 72', label: 'reset', labelAt: { x: 220, y: 100 } };
  }
  // Anything else (isolate, release): a straight line between the two boxes.
  const a = NODES[from] ?? NODES.closed!;
  const b = NODES[to] ?? NODES.closed!;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  const cut = (p: Point, sign: number) => ({ x: p.x + (sign * dx * 40) / length, y: p.y + (sign * dy * 26) / length });
  const s = cut(a, 1);
  const e = cut(b, -1);
  return { from, to, path: `M${s.x} ${s.y} L${e.x} ${e.y}`, label: '', labelAt: { x: (s.x + e.x) / 2, y: (s.y + e.y) / 2 } };
};

const LABELS: Record<string, string> = { closed: 'Closed', open: 'Open', 'half-open': 'Half-open', isolated: 'Isolated' };
const stateClass = (state: string) => (state in NODES ? state : 'unknown');

export interface StateDiagramProps {
  state: string;
  last: Transition | undefined;
  /** Bumped on each transition: restarts the flash. */
  transitionCount: number;
  /** Transitions seen recently: their edges are drawn even when not core. */
  seen: readonly Transition[];
  /** True for a moment after a transition: its edge flashes. */
  fresh: boolean;
}

const Diagram = ({ state, last, transitionCount, seen, fresh }: StateDiagramProps) => {
  const id = useId().replace(/:/g, '');
  const showIsolated = state === 'isolated' || seen.some((t) => t.to === 'isolated' || t.from === 'isolated');
  const extra = seen
    .map((t) => edgeBetween(t.from, t.to))
    .filter((e, i, all) => !CORE_EDGES.includes(e) && all.findIndex((o) => o.from === e.from && o.to === e.to) === i);
  const edges = [...CORE_EDGES, ...extra];
  const hot = last ? edgeBetween(last.from, last.to) : undefined;
  const nodes = Object.keys(NODES).filter((n) => n !== 'isolated' || showIsolated);
  const height = showIsolated ? 290 : 200;
  const arrow = (cls: string) => `url(#${id}-${cls})`;

  return (
    <svg className="state-diagram" viewBox={`-34 0 508 ${height}`} role="img" aria-label={`Circuit state: ${state}`}>
      <defs>
        {['muted', 'closed', 'open', 'half-open', 'isolated', 'unknown'].map((cls) => (
          <marker key={cls} id={`${id}-${cls}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0 0 L10 5 L0 10 z" className={`arrow-head ${cls}`} />
          </marker>
        ))}
      </defs>
      {edges.map((edge) => {
        const isHot = hot !== undefined && edge.from === hot.from && edge.to === hot.to;
        return (
          <g key={`${edge.from}>${edge.to}`} className={`edge ${isHot ? `hot ${stateClass(edge.to)}` : ''}`}>
            <path d={edge.path} markerEnd={arrow(isHot ? stateClass(edge.to) : 'muted')} />
            {edge.label && (
              <text x={edge.labelAt.x} y={edge.labelAt.y} textAnchor={edge.anchor ?? 'middle'}>
                {edge.label}
              </text>
            )}
          </g>
        );
      })}
      {hot && fresh && (
        // Keyed on the transition count: a new transition restarts the flash.
        <path key={transitionCount} d={hot.path} className={`edge-flash ${stateClass(hot.to)}`} />
      )}
      {nodes.map((name) => {
        const p = NODES[name]!;
        const current = name === state;
        return (
          <g key={name} className={`node ${name} ${current ? 'current' : ''}`} transform={`translate(${p.x} ${p.y})`}>
            {current && <rect className="halo" x={-56} y={-30} width={112} height={60} rx={16} />}
            <rect x={-48} y={-22} width={96} height={44} rx={12} />
            <text y={5} textAnchor="middle">
              {LABELS[name]}
            </text>
          </g>
        );
      })}
    </svg>
  );
};

/** Redrawn only when the state, the transitions or the flash change, not on every batch. */
export const StateDiagram = memo(
  Diagram,
  (a, b) => a.state === b.state && a.transitionCount === b.transitionCount && a.fresh === b.fresh && a.last === b.last,
);
