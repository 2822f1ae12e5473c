/**
 * A machine's states and transitions as a diagram: the current state lit in
 * its tone, the latest transition's edge highlighted — and flashing for a
 * moment when it is new. Hovering a state shows its description.
 */
import { memo, useId } from 'react';
import type { Tone } from '../../../../patterns/kit/index.ts';
import type { DiagramLayout } from './layout.ts';
import type { Transition } from './reducer.ts';
import type { LookUp } from './states.ts';

const TONES: Tone[] = ['ok', 'warn', 'bad', 'reject', 'info', 'neutral'];

/** Class names, leaving out the false ones. */
const classes = (...names: Array<string | false>) => names.filter(Boolean).join(' ');

export interface StateDiagramProps {
  layout: DiagramLayout;
  look: LookUp;
  state: string;
  last: Transition | undefined;
  /** Bumped on each transition: restarts the flash. */
  transitionCount: number;
  /** True for a moment after a transition: its edge flashes. */
  fresh: boolean;
  label: string;
}

const Diagram = ({ layout, look, state, last, transitionCount, fresh, label }: StateDiagramProps) => {
  const id = useId().replace(/:/g, '');
  const hot = last && layout.edges.find((e) => e.from === last.from && e.to === last.to);
  const hotTone = hot ? look(hot.to).tone : 'neutral';
  const { x, y, width, height } = layout.viewBox;
  return (
    <svg className="sm-diagram" viewBox={`${x} ${y} ${width} ${height}`} role="img" aria-label={label}>
      <defs>
        {[...TONES, 'muted'].map((tone) => (
          <marker key={tone} id={`${id}-${tone}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0 0 L10 5 L0 10 z" className={`sm-arrow tone-${tone}`} />
          </marker>
        ))}
      </defs>
      {layout.edges.map((edge) => {
        const isHot = edge === hot;
        return (
          <g key={`${edge.from}>${edge.to}`} className={classes('sm-edge', !edge.declared && 'undeclared', isHot && `hot tone-${hotTone}`)}>
            {!edge.declared && <title>{`${look(edge.from).label} → ${look(edge.to).label}: not one of the transitions this view expects`}</title>}
            <path d={edge.path} markerEnd={`url(#${id}-${isHot ? hotTone : 'muted'})`} />
            {edge.label && (
              <text x={edge.label.x} y={edge.label.y} textAnchor={edge.label.anchor}>
                {edge.label.text}
              </text>
            )}
          </g>
        );
      })}
      {hot && fresh && (
        // Keyed on the transition count: a new transition restarts the flash.
        <path key={transitionCount} d={hot.path} className={`sm-edge-flash tone-${hotTone}`} />
      )}
      {layout.states.map((box) => {
        const current = box.id === state;
        return (
          <g key={box.id} className={classes('sm-state', `tone-${box.tone}`, current && 'current')} transform={`translate(${box.x} ${box.y})`}>
            {box.description && <title>{`${box.label}: ${box.description}`}</title>}
            {current && <rect className="halo" x={-box.w / 2 - 8} y={-box.h / 2 - 8} width={box.w + 16} height={box.h + 16} rx={16} />}
            <rect className="box" x={-box.w / 2} y={-box.h / 2} width={box.w} height={box.h} rx={12} />
            <text y={5} textAnchor="middle">
              {box.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
};

/** Redrawn only when the state, the transitions, the flash or the layout change, not on every batch. */
export const StateDiagram = memo(
  Diagram,
  (a, b) => a.state === b.state && a.transitionCount === b.transitionCount && a.fresh === b.fresh && a.layout === b.layout && a.look === b.look,
);
