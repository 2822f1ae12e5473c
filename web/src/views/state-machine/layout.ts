/**
 * Where a state machine's diagram puts things: each state's box on the spec's
 * grid (`at: [column, row]`), and each transition's edge between two boxes.
 * Declared edges curve to the left of their direction of travel, so a pair of
 * opposite transitions (open → half-open, half-open → open) bow apart instead
 * of overlapping; their label sits outside the curve's middle. Transitions
 * that happen without being declared are straight, unlabelled lines.
 * Pure geometry, in SVG units, so it can be tested without a browser.
 */
import type { StateMachineViewSpec, Tone } from '../../../../patterns/kit/index.ts';

export interface Point {
  x: number;
  y: number;
}

export interface StateBox extends Point {
  id: string;
  label: string;
  tone: Tone;
  description?: string;
  /** Width and height of the box. */
  w: number;
  h: number;
}

export interface EdgeShape {
  from: string;
  to: string;
  /** SVG path data, ending at the arrow's tip. */
  path: string;
  /** Points the line passes through (its ends and its middle): what the view box must hold. */
  through: Point[];
  /** Declared transitions have a label; undeclared ones are drawn straight, without one. */
  declared: boolean;
  label?: { text: string; x: number; y: number; anchor: 'start' | 'middle' | 'end' };
}

export interface DiagramLayout {
  states: StateBox[];
  edges: EdgeShape[];
  viewBox: { x: number; y: number; width: number; height: number };
}

const COLUMN_SPACING = 130;
const ROW_SPACING = 104;
const BOX_H = 44;
const MIN_BOX_W = 96;
const MAX_BOX_W = 124;
/** Room around the drawing for labels beside the outer edges. */
const MARGIN = 12;
/** Narrow machines are centred in at least this width, so one column is not drawn huge. */
const MIN_WIDTH = 440;
/** A label's width, roughly, at the diagram's 12 px font: for the view box only. */
const LABEL_CHAR_W = 6.4;

const boxWidth = (label: string): number => Math.min(MAX_BOX_W, Math.max(MIN_BOX_W, label.length * 9 + 24));

/**
 * The boxes to draw: the spec's states (an optional one only once `visited`),
 * then states that happened without being in the spec, on a row of their own.
 */
export const placeStates = (spec: StateMachineViewSpec, visited: readonly string[]): StateBox[] => {
  const boxes: StateBox[] = [];
  for (const s of spec.states) {
    if (s.optional && !visited.includes(s.id)) continue;
    boxes.push({ id: s.id, label: s.label, tone: s.tone, description: s.description, x: s.at[0] * COLUMN_SPACING, y: s.at[1] * ROW_SPACING, w: boxWidth(s.label), h: BOX_H });
  }
  const known = new Set(spec.states.map((s) => s.id));
  const unknownRow = Math.max(0, ...spec.states.map((s) => s.at[1])) + 1;
  let column = 0;
  for (const id of visited) {
    if (known.has(id)) continue;
    boxes.push({ id, label: id, tone: 'neutral', description: 'Not one of the states this view expects.', x: column++ * COLUMN_SPACING, y: unknownRow * ROW_SPACING, w: boxWidth(id), h: BOX_H });
  }
  return boxes;
};

/** Where the ray from the box's centre towards `toward` leaves the box. */
const exitPoint = (box: StateBox, toward: Point): Point => {
  const dx = toward.x - box.x;
  const dy = toward.y - box.y;
  const scale = Math.min(dx ? box.w / 2 / Math.abs(dx) : Infinity, dy ? box.h / 2 / Math.abs(dy) : Infinity);
  return Number.isFinite(scale) ? { x: box.x + dx * scale, y: box.y + dy * scale } : { x: box.x, y: box.y };
};

const round = (n: number) => Math.round(n * 10) / 10;
const pt = (p: Point) => `${round(p.x)} ${round(p.y)}`;

/** A transition back into the same state: a loop over the box. */
const selfLoop = (box: StateBox, text: string | undefined): EdgeShape => {
  const top = box.y - box.h / 2;
  return {
    from: box.id,
    to: box.id,
    path: `M${pt({ x: box.x - 16, y: top })} C${pt({ x: box.x - 40, y: top - 44 })} ${pt({ x: box.x + 40, y: top - 44 })} ${pt({ x: box.x + 16, y: top })}`,
    // The loop's top corners: at t = ½ a cubic Bézier is ¾ of the way to its controls' height.
    through: [{ x: box.x - 30, y: top - 33 }, { x: box.x + 30, y: top - 33 }],
    declared: text !== undefined,
    ...(text !== undefined && { label: { text, x: round(box.x), y: round(top - 40), anchor: 'middle' as const } }),
  };
};

/** The edge from box `a` to box `b`: curved and labelled when declared (`text`), else straight. */
export const edgeBetween = (a: StateBox, b: StateBox, text: string | undefined): EdgeShape => {
  if (a.id === b.id) return selfLoop(a, text);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  // Left of the direction of travel, in SVG's y-down coordinates: rightwards bows up.
  const normal = { x: dy / length, y: -dx / length };
  if (text === undefined) {
    const start = exitPoint(a, b);
    const end = exitPoint(b, a);
    return { from: a.id, to: b.id, path: `M${pt(start)} L${pt(end)}`, through: [start, end], declared: false };
  }
  const bow = Math.min(48, Math.max(18, length * 0.2));
  const control = { x: (a.x + b.x) / 2 + normal.x * bow, y: (a.y + b.y) / 2 + normal.y * bow };
  const start = exitPoint(a, control);
  const end = exitPoint(b, control);
  // The curve's middle (a quadratic Bézier at t = ½), and the label just outside it.
  const middle = { x: (start.x + end.x) / 4 + control.x / 2, y: (start.y + end.y) / 4 + control.y / 2 };
  const anchor = normal.x > 0.35 ? 'start' : normal.x < -0.35 ? 'end' : 'middle';
  // Text hangs from its baseline: push it down when below the curve, up when above.
  const baseline = normal.y > 0.35 ? 12 : normal.y < -0.35 ? -2 : 4;
  return {
    from: a.id,
    to: b.id,
    path: `M${pt(start)} Q${pt(control)} ${pt(end)}`,
    through: [start, middle, end],
    declared: true,
    label: { text, x: round(middle.x + normal.x * 8), y: round(middle.y + normal.y * 8 + baseline), anchor },
  };
};

/** The whole diagram for a machine that has `visited` these states and made these `undeclared` transitions. */
export const layoutDiagram = (
  spec: StateMachineViewSpec,
  visited: readonly string[],
  undeclared: ReadonlyArray<{ from: string; to: string }>,
): DiagramLayout => {
  const states = placeStates(spec, visited);
  const byId = new Map(states.map((s) => [s.id, s]));
  const edges: EdgeShape[] = [];
  const drawn = new Set<string>();
  const add = (from: string, to: string, text: string | undefined) => {
    const a = byId.get(from);
    const b = byId.get(to);
    if (!a || !b || drawn.has(`${from}\n${to}`)) return;
    drawn.add(`${from}\n${to}`);
    edges.push(edgeBetween(a, b, text));
  };
  for (const t of spec.transitions) add(t.from, t.to, t.label);
  for (const t of undeclared) add(t.from, t.to, undefined);
  return { states, edges, viewBox: boundsOf(states, edges) };
};

/** Everything drawn, with room for the labels, centred in at least MIN_WIDTH. */
const boundsOf = (states: readonly StateBox[], edges: readonly EdgeShape[]): DiagramLayout['viewBox'] => {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const cover = (x0: number, y0: number, x1: number, y1: number) => {
    minX = Math.min(minX, x0);
    minY = Math.min(minY, y0);
    maxX = Math.max(maxX, x1);
    maxY = Math.max(maxY, y1);
  };
  // A halo is drawn 8 units around the current state's box.
  for (const s of states) cover(s.x - s.w / 2 - 8, s.y - s.h / 2 - 8, s.x + s.w / 2 + 8, s.y + s.h / 2 + 8);
  for (const e of edges) {
    for (const p of e.through) cover(p.x, p.y, p.x, p.y);
    if (e.label) {
      const w = e.label.text.length * LABEL_CHAR_W;
      const x0 = e.label.anchor === 'start' ? e.label.x : e.label.anchor === 'end' ? e.label.x - w : e.label.x - w / 2;
      cover(x0, e.label.y - 12, x0 + w, e.label.y + 4);
    }
  }
  if (!Number.isFinite(minX)) return { x: 0, y: 0, width: MIN_WIDTH, height: 100 };
  const width = Math.max(MIN_WIDTH, maxX - minX + 2 * MARGIN);
  const x = (minX + maxX) / 2 - width / 2;
  return { x: round(x), y: round(minY - MARGIN), width: round(width), height: round(maxY - minY + 2 * MARGIN) };
};
