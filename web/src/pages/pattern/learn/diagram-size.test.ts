import { describe, expect, it } from 'vitest';
import { dialogScale, dialogSvg, MAX_DIALOG_SCALE, minPageWidth, pageSvg, svgSize, withRootSize } from './diagram-size.ts';

// The root of a flowchart as mermaid draws it with useMaxWidth (its default).
const MERMAID_SVG =
  '<svg id="mermaid-r1" width="100%" xmlns="http://www.w3.org/2000/svg" class="flowchart" style="max-width: 1960.5px;" viewBox="-8 -8 1960.5 410" role="graphics-document document" aria-roledescription="flowchart-v2"><style>#mermaid-r1{font-size:14px;}</style><g/></svg>';

describe('svgSize', () => {
  it('reads the natural size from the root viewBox', () => {
    expect(svgSize(MERMAID_SVG)).toEqual({ width: 1960.5, height: 410 });
    expect(svgSize('<svg viewBox="0,0,300,200"></svg>')).toEqual({ width: 300, height: 200 });
  });
  it('is undefined without a usable viewBox, or when the markup is not an svg', () => {
    expect(svgSize('<svg width="10"></svg>')).toBeUndefined();
    expect(svgSize('<svg viewBox="0 0 0 10"></svg>')).toBeUndefined();
    expect(svgSize('<svg viewBox="0 0 a 10"></svg>')).toBeUndefined();
    expect(svgSize('<div viewBox="0 0 10 10"></div>')).toBeUndefined();
  });
  it('looks at the root only, not at a nested svg', () => {
    expect(svgSize('<svg width="5"><svg viewBox="0 0 10 10"></svg></svg>')).toBeUndefined();
  });
});

describe('minPageWidth', () => {
  it('lets a diagram shrink only until its 14 px labels reach 12 px', () => {
    expect(minPageWidth(1400)).toBe(1200);
    expect(minPageWidth(1960.5)).toBe(1681);
  });
  it('never asks for more than the natural width', () => {
    expect(minPageWidth(300, 10, 12)).toBe(300);
  });
});

describe('dialogScale', () => {
  it('enlarges a small diagram to fit the space, up to the cap', () => {
    expect(dialogScale({ width: 400, height: 300 }, { width: 1200, height: 600 })).toBe(2);
    expect(dialogScale({ width: 100, height: 100 }, { width: 1200, height: 800 })).toBe(MAX_DIALOG_SCALE);
  });
  it('never shrinks a diagram below its natural size: a wide one scrolls', () => {
    expect(dialogScale({ width: 2000, height: 400 }, { width: 1300, height: 800 })).toBe(1);
  });
});

describe('withRootSize', () => {
  it('replaces the root size and style, keeping every other attribute and the content', () => {
    const out = withRootSize(MERMAID_SVG, { width: 100, height: 50.123 }, 'max-width: 100%;');
    expect(out).toMatch(/^<svg id="mermaid-r1" xmlns="http:\/\/www.w3.org\/2000\/svg" class="flowchart" viewBox="-8 -8 1960.5 410" role="graphics-document document" aria-roledescription="flowchart-v2" width="100" height="50.12" style="max-width: 100%;">/);
    expect(out.match(/\swidth=/g)).toHaveLength(1);
    expect(out).toContain('<style>#mermaid-r1{font-size:14px;}</style><g/></svg>');
  });
  it('leaves markup that is not an svg alone', () => {
    expect(withRootSize('<p>no</p>', { width: 1, height: 1 }, '')).toBe('<p>no</p>');
  });
});

describe('pageSvg and dialogSvg', () => {
  it('draws the page copy at its natural size at most, never narrower than readable', () => {
    expect(pageSvg(MERMAID_SVG)).toContain('width="1960.5" height="410" style="max-width: 100%; min-width: 1681px; height: auto;"');
  });
  it('draws the dialog copy at the given scale', () => {
    expect(dialogSvg(MERMAID_SVG, 2)).toContain('width="3921" height="820" style="max-width: none; width: 3921px; height: 820px;"');
  });
  it('passes an svg without a viewBox through', () => {
    expect(pageSvg('<svg></svg>')).toBe('<svg></svg>');
    expect(dialogSvg('<svg></svg>', 2)).toBe('<svg></svg>');
  });
});
