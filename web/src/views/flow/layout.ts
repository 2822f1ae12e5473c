/**
 * Where the flow diagram's columns and nodes go, in SVG units: columns of
 * equal width left to right, each column's nodes centred vertically against
 * the tallest column. The SVG scales to the panel's width, so 2 to 4 columns
 * all fit; a fourth column gets narrower gaps.
 */

export const NODE_WIDTH = 240;
/** An edge or node whose last event is this recent (ms of run time) is drawn lit. */
export const ACTIVE_MS = 1500;
/** Room above the nodes for the columns' headings. */
const TOP = 30;
const BOTTOM = 10;
const SIDE = 10;
const ROW_GAP = 18;
/** A text line of a node, and the room around its lines. */
export const LINE = 15;
const NODE_PADDING = 14;

export interface FlowLayout {
  width: number;
  height: number;
  nodeHeight: number;
  /** Each column's left edge. */
  columnX: number[];
  /** Each column's node centres, top to bottom. */
  nodeY: number[][];
}

/** The layout of columns holding `sizes[i]` nodes each, nodes of `lines` text lines. */
export const layoutFlow = (sizes: readonly number[], lines: number): FlowLayout => {
  const gap = sizes.length > 3 ? 60 : 90;
  const nodeHeight = NODE_PADDING + lines * LINE;
  const row = nodeHeight + ROW_GAP;
  const rows = Math.max(1, ...sizes);
  const centre = (i: number, n: number) => TOP + ((rows - n) * row) / 2 + i * row + nodeHeight / 2;
  return {
    width: SIDE * 2 + sizes.length * NODE_WIDTH + Math.max(0, sizes.length - 1) * gap,
    height: TOP + rows * row - ROW_GAP + BOTTOM,
    nodeHeight,
    columnX: sizes.map((_, c) => SIDE + c * (NODE_WIDTH + gap)),
    nodeY: sizes.map((n) => Array.from({ length: n }, (_, i) => centre(i, n))),
  };
};

/** An S-curve from the right side of one node to the left side of the next. */
export const curve = (x1: number, y1: number, x2: number, y2: number): string => {
  const mid = (x1 + x2) / 2;
  return `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`;
};

