/** What a flow stage's spec says about how its nodes are drawn. */
import type { FlowStage } from '../../../../patterns/kit/index.ts';

/** Whether a stage's nodes tell ok / failed (and so show their last outcome). */
export const hasOutcome = (stage: FlowStage): boolean => stage.okField !== undefined || stage.outcomeField !== undefined;

/** Whether a stage's nodes have more to show than a count: boxes; else pills. */
export const isBox = (stage: FlowStage): boolean =>
  hasOutcome(stage) || stage.attemptField !== undefined || stage.durationField !== undefined || Boolean(stage.counts?.length);

/** How many text lines a stage's nodes need: the name, the counts, then latency and other counts if any. */
export const linesOf = (stage: FlowStage): number =>
  isBox(stage) ? 2 + (stage.durationField !== undefined ? 1 : 0) + (stage.counts?.length ? 1 : 0) : 2;

/** What a node's count counts: `requests`, `published`, `attempts`. */
export const countLabelOf = (stage: FlowStage): string => stage.countLabel ?? 'events';
