/**
 * The flow as a diagram: a column per stage, left to right, under its
 * heading; edges from each node to the nodes it follows, lit while events
 * go along them and coloured by how the last one ended.
 */
import { memo } from 'react';
import { useWidth } from '../shared/useWidth.ts';
import type { FlowViewSpec } from '../../../../patterns/kit/index.ts';
import { FlowNode } from './FlowNode.tsx';
import { ACTIVE_MS, curve, layoutFlow, NODE_WIDTH, type FlowLayout } from './layout.ts';
import type { FlowEdge, FlowModel } from './reducer.ts';
import { linesOf } from './stage.ts';

interface Props {
  spec: FlowViewSpec;
  model: FlowModel;
  nowT: number;
}

export const FlowDiagram = memo(function FlowDiagram({ spec, model, nowT }: Props) {
  const { stages } = spec;
  const layout = layoutFlow(
    model.columns.map((column) => column.nodes.length),
    Math.max(...stages.map(linesOf)),
  );
  const active = (t: number | undefined) => t !== undefined && nowT - t < ACTIVE_MS;
  const label = `${spec.title}: ${stages.map((stage) => stage.label).join(' → ')}`;
  // The diagram shrinks with the panel until its text would be too small to read, then scrolls
  // sideways; only then is its box a tab stop (a scrolled region must be reachable by keyboard).
  const [box, boxWidth] = useWidth<HTMLDivElement>(Infinity);
  const minWidth = Math.round(layout.width * MIN_SCALE);

  return (
    <div className="flow-scroll" ref={box} tabIndex={boxWidth < minWidth ? 0 : undefined}>
      <svg className="flow-diagram" viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label={label} style={{ minWidth }}>
        {stages.map((stage, c) => (
          <text key={`heading-${c}`} x={layout.columnX[c]! + NODE_WIDTH / 2} y={16} textAnchor="middle" className="flow-heading">
            {stage.label}
          </text>
        ))}
        {model.columns.map((column, c) => (
          <Edges key={`edges-${c}`} column={c} edges={column.edges} model={model} layout={layout} active={active} />
        ))}
        {model.columns.map((column, c) =>
          column.nodes.map((node, i) => (
            <FlowNode
              key={`${c}-${node.name}`}
              stage={stages[c]!}
              node={node}
              x={layout.columnX[c]!}
              y={layout.nodeY[c]![i]! - layout.nodeHeight / 2}
              height={layout.nodeHeight}
              fresh={active(node.last?.t)}
            />
          )),
        )}
        {model.columns.map((column, c) =>
          column.nodes.length === 0 ? (
            <text key={`empty-${c}`} x={layout.columnX[c]! + NODE_WIDTH / 2} y={layout.height / 2} textAnchor="middle" className="sub">
              no {stages[c]!.label.toLowerCase()} yet
            </text>
          ) : null,
        )}
      </svg>
    </div>
  );
});

/** The least the diagram is scaled: its smallest text (11.5 px in the layout's units) stays above 9 px. */
const MIN_SCALE = 0.8;

interface EdgesProps {
  /** The column the edges go into (from the one before it). */
  column: number;
  edges: FlowEdge[];
  model: FlowModel;
  layout: FlowLayout;
  active: (t: number | undefined) => boolean;
}

/** The edges into one column; lit ones drawn last, so they sit on top of the idle ones. */
const Edges = ({ column, edges, model, layout, active }: EdgesProps) => {
  if (column === 0) return null;
  const fromY = new Map(model.columns[column - 1]!.nodes.map((node, i) => [node.name, layout.nodeY[column - 1]![i]!]));
  const toY = new Map(model.columns[column]!.nodes.map((node, i) => [node.name, layout.nodeY[column]![i]!]));
  const x1 = layout.columnX[column - 1]! + NODE_WIDTH;
  const x2 = layout.columnX[column]!;
  const lit = (edge: FlowEdge) => active(edge.t);
  const ordered = [...edges.filter((edge) => !lit(edge)), ...edges.filter(lit)];
  return (
    <g>
      {ordered.map((edge) => {
        const y1 = fromY.get(edge.from);
        const y2 = toY.get(edge.to);
        if (y1 === undefined || y2 === undefined) return null;
        const outcome = edge.ok === undefined ? '' : edge.ok ? 'ok' : 'failed';
        return <path key={`${edge.from}\u0000${edge.to}`} className={`flow-edge ${lit(edge) ? 'active' : ''} ${outcome}`} d={curve(x1, y1, x2, y2)} />;
      })}
    </g>
  );
};
