/**
 * How big a mermaid diagram is drawn: pure helpers (no DOM), unit-tested in node.
 *
 * Mermaid draws labels at the theme's font size and, by default, gives the SVG
 * `width="100%"` so it shrinks to the column: a wide flowchart (the middleware
 * pipeline is ~2 000 px) then shows its text at ~6 px. Instead a diagram is
 * shrunk at most to MIN_FONT_PX / DIAGRAM_FONT_PX of its natural size and
 * scrolls sideways beyond that; the dialog shows it at least at its natural size.
 */

/** The font size mermaid is told to draw labels with (themeVariables.fontSize). */
export const DIAGRAM_FONT_PX = 14;
/** The smallest size a label may be shrunk to in the page. */
export const MIN_FONT_PX = 12;
/** The dialog enlarges a small diagram to fill the screen, up to this factor. */
export const MAX_DIALOG_SCALE = 2.5;

export interface Size {
  width: number;
  height: number;
}

const OPENING_TAG = /^\s*(?:<\?xml[^>]*>\s*)?<svg\b[^>]*>/i;

/** The natural size of an SVG's drawing, from its root's viewBox (mermaid always sets one). */
export const svgSize = (svg: string): Size | undefined => {
  const tag = OPENING_TAG.exec(svg)?.[0];
  const viewBox = tag && /\sviewBox\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
  if (!viewBox) return undefined;
  const numbers = viewBox.trim().split(/[\s,]+/).map(Number);
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) return undefined;
  const [, , width, height] = numbers as [number, number, number, number];
  return width > 0 && height > 0 ? { width, height } : undefined;
};

/** The narrowest the diagram may be drawn in the page so its labels stay at MIN_FONT_PX or more. */
export const minPageWidth = (naturalWidth: number, fontPx = DIAGRAM_FONT_PX, minFontPx = MIN_FONT_PX): number =>
  Math.ceil(naturalWidth * Math.min(1, minFontPx / fontPx));

/**
 * The scale of the diagram in the dialog: as large as fits the space, never
 * below its natural size (it scrolls then), never above MAX_DIALOG_SCALE.
 */
export const dialogScale = (natural: Size, available: Size): number => {
  const fit = Math.min(available.width / natural.width, available.height / natural.height);
  if (!Number.isFinite(fit)) return 1;
  return Math.min(MAX_DIALOG_SCALE, Math.max(1, fit));
};

/**
 * The SVG with its root's size replaced: `width`, `height` and `style`
 * attributes dropped and the given ones set (mermaid's `width="100%"` and
 * `max-width` style give way to ours). Markup that does not start with an
 * <svg> tag is returned as it is.
 */
export const withRootSize = (svg: string, size: Size, style: string): string => {
  const match = OPENING_TAG.exec(svg);
  if (!match) return svg;
  const tag = match[0];
  const start = tag.search(/<svg\b/i);
  const attributes = tag
    .slice(start + 4, -1)
    .replace(/\s(?:width|height|style)\s*=\s*(?:"[^"]*"|'[^']*')/gi, '')
    .replace(/\s*\/$/, '');
  const escapedStyle = style.replace(/"/g, '&quot;');
  const opening = `${tag.slice(0, start)}<svg${attributes} width="${round(size.width)}" height="${round(size.height)}" style="${escapedStyle}">`;
  return opening + svg.slice(match.index + tag.length);
};

const round = (n: number): number => Math.round(n * 100) / 100;

/** The diagram as drawn in the page: its natural size at most, shrunk with the column down to a readable minimum. */
export const pageSvg = (svg: string): string => {
  const size = svgSize(svg);
  if (!size) return svg;
  return withRootSize(svg, size, `max-width: 100%; min-width: ${minPageWidth(size.width)}px; height: auto;`);
};

/** The diagram as drawn in the dialog, at `scale` times its natural size. */
export const dialogSvg = (svg: string, scale: number): string => {
  const size = svgSize(svg);
  if (!size) return svg;
  const scaled = { width: size.width * scale, height: size.height * scale };
  return withRootSize(svg, scaled, `max-width: none; width: ${round(scaled.width)}px; height: ${round(scaled.height)}px;`);
};
