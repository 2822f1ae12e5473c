/**
 * The flow view's model, built from its spec: a column per stage, whose
 * nodes are the distinct values of the stage's node field (the first
 * MAX_NODES seen; later values are counted in the column's `notShown`). Per
 * node: how many events, how many ended well or failed, the retries, average
 * and p90 duration over its last LATENCY_SAMPLES, its last outcome, and the
 * other events counted against it (dead letters). Edges run from the previous
 * column's nodes: along shared link values when the stage has a link (see
 * link.ts), else from every node, carrying the time and outcome of the last
 * event that went along them.
 */
import type { FlowStage, FlowViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf, matchesWhere } from '../shared/fields.ts';
import { percentile } from '../shared/format.ts';
import { newest, trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';
import { joinPass, joinPrevious, linkValueOf, newLink, type LinkAcc, type Pass } from './link.ts';

/** Nodes drawn per column: more would not be readable anyway. */
export const MAX_NODES = 50;
/** Durations kept per node for its average and p90: the recent behaviour, not the whole run's. */
export const LATENCY_SAMPLES = 200;

export interface LastOutcome {
  t: number;
  /** Undefined when the stage tells no outcome. */
  ok: boolean | undefined;
  /** As the event said it: `ok`, `failed`, `error`, `rejected`, `timeout`. */
  outcome: string | undefined;
  error?: string;
}

export interface FlowNode {
  /** The node field's value. */
  name: string;
  count: number;
  ok: number;
  failed: number;
  /** Events past the first attempt. */
  retries: number;
  /** Per `stage.counts`, in order. */
  counts: number[];
  avgMs: number | undefined;
  p90Ms: number | undefined;
  last: LastOutcome | undefined;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** When the last event went along it (undefined: none yet), and whether it ended well. */
  t: number | undefined;
  ok: boolean | undefined;
}

export interface FlowColumn {
  nodes: FlowNode[];
  /** From the previous column's nodes into this one's; none into the first. */
  edges: FlowEdge[];
  /** Every event of the stage, shown under a node or not. */
  total: number;
  failed: number;
  /** Per `stage.counts`, every one. */
  counts: number[];
  /** Events under no node drawn: past the first MAX_NODES values, or without the node field. */
  notShown: number;
}

/** A column per stage of the spec, in order. */
export interface FlowModel {
  columns: FlowColumn[];
}

interface NodeAcc {
  name: string;
  count: number;
  ok: number;
  failed: number;
  retries: number;
  counts: number[];
  samples: number[];
  last: LastOutcome | undefined;
}

interface StageAcc {
  nodes: Map<string, NodeAcc>;
  total: number;
  failed: number;
  counts: number[];
  notShown: number;
  /** The join to the previous stage, when this stage has a link. */
  link: LinkAcc | undefined;
  /** Edges seen along the link, by `from` and `to` (both drawn nodes, so at most MAX_NODES²). */
  edges: Map<string, FlowEdge>;
}

interface Acc {
  stages: StageAcc[];
}

type Step = (acc: Acc, event: TelemetryEvent) => void;

/** A node field's value as a node's name; undefined when the event has none. */
const nameOf = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

/** Whether the event ended well, from a boolean `okField` or a `RequestOutcome` in `outcomeField`. */
const outcomeOf = (stage: FlowStage, event: TelemetryEvent): Pick<LastOutcome, 'ok' | 'outcome'> => {
  if (stage.okField !== undefined) {
    const ok = fieldOf(event, stage.okField);
    if (typeof ok === 'boolean') return { ok, outcome: ok ? 'ok' : 'failed' };
  }
  if (stage.outcomeField !== undefined) {
    const outcome = fieldOf(event, stage.outcomeField);
    if (typeof outcome === 'string') return { ok: outcome === 'ok', outcome };
  }
  return { ok: undefined, outcome: undefined };
};

/** The node named `name`, added while the column has room; undefined past MAX_NODES. */
const nodeOf = (stage: FlowStage, acc: StageAcc, name: string): NodeAcc | undefined => {
  let node = acc.nodes.get(name);
  if (!node && acc.nodes.size < MAX_NODES) {
    node = { name, count: 0, ok: 0, failed: 0, retries: 0, counts: (stage.counts ?? []).map(() => 0), samples: [], last: undefined };
    acc.nodes.set(name, node);
  }
  return node;
};

/** Records that an event went from `from` (previous column) to `pass.node`; edges only join nodes drawn. */
const addEdge = (previous: StageAcc, acc: StageAcc, from: string, pass: Pass): void => {
  if (!previous.nodes.has(from)) return;
  const key = `${from}\u0000${pass.node}`;
  let edge = acc.edges.get(key);
  if (!edge) {
    edge = { from, to: pass.node, t: undefined, ok: undefined };
    acc.edges.set(key, edge);
  }
  // A late join can bring an older pass: the edge keeps the newest.
  if (edge.t === undefined || pass.t >= edge.t) {
    edge.t = pass.t;
    edge.ok = pass.ok;
  }
};

/** The fold of one stage's events: the node's figures, and both sides of the links next to it. */
const stageStep =
  (stages: readonly FlowStage[], index: number): Step =>
  (acc, event) => {
    const stage = stages[index]!;
    if (!matchesWhere(event, stage.where)) return;
    const here = acc.stages[index]!;
    const { ok, outcome } = outcomeOf(stage, event);
    here.total++;
    if (ok === false) here.failed++;
    const name = nameOf(fieldOf(event, stage.nodeField));
    const node = name === undefined ? undefined : nodeOf(stage, here, name);

    // This event is the previous side of the next stage's link: passes that came first join it now,
    // lit from now (the edge's two ends were both seen only now).
    const nextLink = stages[index + 1]?.link;
    const next = acc.stages[index + 1];
    if (nextLink && next?.link && name !== undefined) {
      const value = linkValueOf(fieldOf(event, nextLink.previousField));
      if (value !== undefined) {
        for (const pass of joinPrevious(next.link, value, name)) addEdge(here, next, name, { ...pass, t: Math.max(pass.t, event.t) });
      }
    }

    if (!node) {
      here.notShown++;
      return;
    }
    node.count++;
    if (ok !== undefined) node[ok ? 'ok' : 'failed']++;
    const attempt = stage.attemptField === undefined ? undefined : fieldOf(event, stage.attemptField);
    if (typeof attempt === 'number' && attempt > 1) node.retries++;
    const duration = stage.durationField === undefined ? undefined : fieldOf(event, stage.durationField);
    if (typeof duration === 'number' && Number.isFinite(duration)) {
      node.samples.push(duration);
      trimFront(node.samples, LATENCY_SAMPLES);
    }
    const error = ok === false && stage.errorField !== undefined ? fieldOf(event, stage.errorField) : undefined;
    node.last = { t: event.t, ok, outcome, ...(typeof error === 'string' && { error }) };

    // And the next side of this stage's own link.
    if (stage.link && here.link) {
      const value = linkValueOf(fieldOf(event, stage.link.field));
      const pass = { node: node.name, t: event.t, ok };
      const from = value === undefined ? undefined : joinPass(here.link, value, pass);
      if (from !== undefined) addEdge(acc.stages[index - 1]!, here, from, pass);
    }
  };

/** The fold of an event counted against a stage's nodes (dead letters per handler). */
const countStep =
  (stages: readonly FlowStage[], index: number, count: number): Step =>
  (acc, event) => {
    const stage = stages[index]!;
    const here = acc.stages[index]!;
    here.counts[count]!++;
    const name = nameOf(fieldOf(event, stage.counts![count]!.nodeField));
    const node = name === undefined ? undefined : nodeOf(stage, here, name);
    if (node) node.counts[count]!++;
  };

const average = (values: readonly number[]): number | undefined =>
  values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : undefined;

const nodeView = (node: NodeAcc): FlowNode => {
  const samples = newest(node.samples, LATENCY_SAMPLES);
  return {
    name: node.name,
    count: node.count,
    ok: node.ok,
    failed: node.failed,
    retries: node.retries,
    counts: [...node.counts],
    avgMs: average(samples),
    p90Ms: percentile(samples, 0.9),
    last: node.last && { ...node.last },
  };
};

/** Edges into a column: those seen along its link, or from every node of the previous column. */
const edgesView = (stage: FlowStage, previous: FlowNode[] | undefined, acc: StageAcc, nodes: FlowNode[]): FlowEdge[] => {
  if (!previous) return [];
  if (stage.link) return [...acc.edges.values()].map((edge) => ({ ...edge }));
  return previous.flatMap((from) => nodes.map((to) => ({ from: from.name, to: to.name, t: to.last?.t, ok: to.last?.ok })));
};

/** The flow reducer of a spec. Build it once per spec (memoise on it): the fold restarts when it changes. */
export const makeFlowReducer = (spec: FlowViewSpec): ViewReducer<Acc, FlowModel> => {
  const { stages } = spec;
  // Which steps each event type feeds, so an event costs one map look-up plus its own steps.
  const steps = new Map<string, Step[]>();
  const on = (type: string, step: Step) => steps.set(type, [...(steps.get(type) ?? []), step]);
  stages.forEach((stage, index) => {
    on(stage.event, stageStep(stages, index));
    stage.counts?.forEach((count, i) => on(count.event, countStep(stages, index, i)));
  });

  return {
    init: () => ({
      stages: stages.map((stage, index) => ({
        nodes: new Map(),
        total: 0,
        failed: 0,
        counts: (stage.counts ?? []).map(() => 0),
        notShown: 0,
        link: stage.link && index > 0 ? newLink() : undefined,
        edges: new Map(),
      })),
    }),
    step(acc, event) {
      const forType = steps.get(typeOf(event));
      if (forType) for (const step of forType) step(acc, event);
    },
    view(acc) {
      const columns: FlowColumn[] = [];
      acc.stages.forEach((here, index) => {
        const nodes = [...here.nodes.values()].map(nodeView);
        columns.push({
          nodes,
          edges: edgesView(stages[index]!, columns[index - 1]?.nodes, here, nodes),
          total: here.total,
          failed: here.failed,
          counts: [...here.counts],
          notShown: here.notShown,
        });
      });
      return { columns };
    },
  };
};
