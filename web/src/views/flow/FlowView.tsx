/**
 * The generic flow view (`kind: 'flow'`): events passing through stages left
 * to right — publisher → event → handlers, route → service → repository —
 * with each node's counts, outcomes, retries and latency, and the edges lit
 * as events go along them. Everything it reads is named by the spec.
 */
import { Fragment, useMemo } from 'react';
import type { FlowViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtCount } from '../shared/format.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { FlowDiagram } from './FlowDiagram.tsx';
import { ACTIVE_MS } from './layout.ts';
import { makeFlowReducer, MAX_NODES, type FlowModel } from './reducer.ts';
import { countLabelOf, hasOutcome } from './stage.ts';
import './flow.css';

export const FlowView = ({ spec, events, revision, nowT }: ViewProps<FlowViewSpec>) => {
  const reducer = useMemo(() => makeFlowReducer(spec), [spec]);
  const model = useThrottled(useViewModel(reducer, events, revision, nowT), 250);
  return (
    <div className="flow-view">
      <div className="view-toolbar">
        <Headline spec={spec} model={model} />
        <Legend spec={spec} />
      </div>
      <FlowDiagram spec={spec} model={model} nowT={nowT} />
      <NotShown spec={spec} model={model} />
    </div>
  );
};

/** Each column's totals: `120 requests · 120 published · 365 attempts (5 failed) · 1 dead letters`. */
const Headline = ({ spec, model }: { spec: FlowViewSpec; model: FlowModel }) => (
  <span className="headline">
    {spec.stages.map((stage, c) => {
      const column = model.columns[c]!;
      return (
        <Fragment key={c}>
          {c > 0 && ' · '}
          <b>{fmtCount(column.total)}</b> {countLabelOf(stage)}
          {hasOutcome(stage) && (
            <>
              {' '}
              (<b className={column.failed ? 'bad-text' : ''}>{fmtCount(column.failed)}</b> failed)
            </>
          )}
          {stage.counts?.map((count, i) => (
            <Fragment key={count.label}>
              {' · '}
              <b className={column.counts[i] ? `${count.tone ?? 'info'}-text` : ''}>{fmtCount(column.counts[i] ?? 0)}</b> {count.label}
            </Fragment>
          ))}
        </Fragment>
      );
    })}
  </span>
);

/** What the colours and signs mean, for the stages that have them. */
const Legend = ({ spec }: { spec: FlowViewSpec }) => {
  const outcomes = spec.stages.some(hasOutcome);
  const retries = spec.stages.some((stage) => stage.attemptField !== undefined);
  return (
    <span className="muted small">
      {outcomes && (
        <>
          <span className="legend ok">last ok</span> <span className="legend bad">last failed</span> ✓ ok ✗ failed ·{' '}
        </>
      )}
      {retries && '↻ retries · '}
      lit: an event in the last {ACTIVE_MS / 1000} s
    </span>
  );
};

/** Says so when a column had more nodes than it draws. */
const NotShown = ({ spec, model }: { spec: FlowViewSpec; model: FlowModel }) => {
  const hidden = spec.stages.flatMap((stage, c) => {
    const n = model.columns[c]!.notShown;
    return n ? [`${stage.label}: ${fmtCount(n)} ${countLabelOf(stage)}`] : [];
  });
  if (hidden.length === 0) return null;
  return (
    <p className="muted small">
      A column draws its first {MAX_NODES} nodes; not drawn (another node, or none named): {hidden.join(', ')}.
    </p>
  );
};
