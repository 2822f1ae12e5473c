/**
 * One node of the flow diagram. A stage with figures to show draws its nodes
 * as boxes: a bar in the colour of the last outcome, then ✓ ok ✗ failed
 * ↻ retries, latency and counts, each when the stage has it. A stage with
 * just a count (the events going over a bus) draws pills.
 */
import type { FlowStage } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtMs, fmtRunTime } from '../shared/format.ts';
import { LINE, NODE_WIDTH } from './layout.ts';
import { LATENCY_SAMPLES, type FlowNode as FlowNodeModel } from './reducer.ts';
import { countLabelOf, hasOutcome, isBox, titleOf } from './stage.ts';

interface Props {
  stage: FlowStage;
  node: FlowNodeModel;
  /** Top-left corner, and the height every node of the diagram shares. */
  x: number;
  y: number;
  height: number;
  /** Whether its last event is recent: the box's border lights up. */
  fresh: boolean;
}

const TITLE_CHARS = 28;

/** The class of a node's last outcome: ok, failed (rejected ones keep a colour of their own), or idle. */
const lastClass = (node: FlowNodeModel): string => {
  if (node.last?.ok === undefined) return 'idle';
  if (node.last.ok) return 'ok';
  return node.last.outcome === 'rejected' ? 'failed rejected' : 'failed';
};

export const FlowNode = ({ stage, node, x, y, height, fresh }: Props) =>
  isBox(stage) ? (
    <BoxNode stage={stage} node={node} x={x} y={y} height={height} fresh={fresh} />
  ) : (
    <g className="flow-node pill" transform={`translate(${x} ${y})`}>
      <title>{describe(stage, node)}</title>
      <rect width={NODE_WIDTH} height={height} rx={Math.min(height / 2, 29)} />
      <text x={NODE_WIDTH / 2} y={height / 2 - 5} textAnchor="middle" className="title">
        {titleOf(stage, node.name, TITLE_CHARS - 4)[0]}
      </text>
      <text x={NODE_WIDTH / 2} y={height / 2 + 14} textAnchor="middle" className="sub">
        {fmtCount(node.count)} {countLabelOf(stage)}
      </text>
    </g>
  );

const BoxNode = ({ stage, node, x, y, height, fresh }: Props) => {
  // Lines from the top: the name, the counts, then latency and other counts when the stage has them.
  let line = 20;
  const next = () => (line += LINE);
  return (
    <g className={`flow-node box ${lastClass(node)} ${fresh ? 'fresh' : ''}`} transform={`translate(${x} ${y})`}>
      <title>{describe(stage, node)}</title>
      <rect width={NODE_WIDTH} height={height} rx={10} />
      <rect className="last-outcome" width={6} height={height} rx={3} />
      {titleOf(stage, node.name, TITLE_CHARS).map((text, i) => (
        <text key={i} x={16} y={i === 0 ? line : next()} className="title">
          {text}
        </text>
      ))}
      <text x={16} y={next()} className="sub">
        {fmtCount(node.count)} {countLabelOf(stage)}
        {hasOutcome(stage) && (
          <>
            <tspan dx={8} className="ok-fill">
              ✓ {fmtCount(node.ok)}
            </tspan>
            <tspan dx={6} className={node.failed ? 'bad-fill' : ''}>
              ✗ {fmtCount(node.failed)}
            </tspan>
          </>
        )}
        {stage.attemptField !== undefined && <tspan dx={6}>↻ {fmtCount(node.retries)}</tspan>}
      </text>
      {stage.durationField !== undefined && (
        <text x={16} y={next()} className="sub">
          avg {fmtMs(node.avgMs)} · p90 {fmtMs(node.p90Ms)}
        </text>
      )}
      {stage.counts?.length ? (
        <text x={16} y={next()} className="sub">
          {stage.counts.map((count, i) => (
            <tspan key={count.label} dx={i ? 8 : 0} className={node.counts[i] ? `flow-count ${count.tone ?? 'info'}` : ''}>
              {fmtCount(node.counts[i] ?? 0)} {count.label}
            </tspan>
          ))}
        </text>
      ) : null}
    </g>
  );
};

/** The node's figures in words, for its tooltip (and screen readers). */
const describe = (stage: FlowStage, node: FlowNodeModel): string => {
  const figures = [`${node.count} ${countLabelOf(stage)}`];
  if (hasOutcome(stage)) figures.push(`${node.ok} ok`, `${node.failed} failed`);
  if (stage.attemptField !== undefined) figures.push(`${node.retries} retries`);
  stage.counts?.forEach((count, i) => figures.push(`${node.counts[i] ?? 0} ${count.label}`));
  const lines = [`${node.name}: ${figures.join(', ')}`];
  if (stage.durationField !== undefined && node.avgMs !== undefined) {
    lines.push(`avg ${fmtMs(node.avgMs)}, p90 ${fmtMs(node.p90Ms)} over its last ${Math.min(node.count, LATENCY_SAMPLES)} ${countLabelOf(stage)}`);
  }
  if (node.last) lines.push(`last: ${node.last.outcome ?? 'seen'} at ${fmtRunTime(node.last.t)}`);
  if (node.last?.error) lines.push(`last error: ${node.last.error}`);
  return lines.join('\n');
};
