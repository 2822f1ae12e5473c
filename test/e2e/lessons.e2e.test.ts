/**
 * The lessons read well, in Debian's Chromium at 1440×900: the middleware and
 * circuit-breaker lessons' tables flow with the page (never cut to a box with a
 * scrollbar of its own), their diagrams' labels are drawn at a readable size,
 * a click on a diagram opens it larger in a modal dialog that Escape closes,
 * and the state diagrams' labels do not overlap each other or the states.
 * Screenshots go to test-artifacts/lessons-*.png.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-lessons-token-0123456789';
/** Generous: a loaded 2-core machine runs the server and Chromium at once. */
const WAIT = { timeout: 30_000 };
/** The smallest a diagram's label may be drawn, in CSS px on the screen. */
const MIN_LABEL_PX = 11;

/** How one markdown table sits in the page. */
interface TableLayout {
  /** Its header row's text, to tell the tables apart in a failure. */
  head: string;
  /** Its full height, and how much of it shows through its wrapper. */
  height: number;
  visibleHeight: number;
  /** Its wrapper's content height and the height it shows of it. */
  wrapperScrollHeight: number;
  wrapperClientHeight: number;
  /** Ancestors (the page's own scroller aside) that scroll vertically with more content than they show. */
  verticalScrollers: string[];
}

/** How a diagram's labels are drawn. */
interface DiagramLabels {
  /** The SVG's drawn size on the screen. */
  width: number;
  height: number;
  /** Screen px per SVG unit. */
  scale: number;
  labels: number;
  /** The smallest label: its computed font size times the scale, and its drawn box's height. */
  minFontPx: number;
  minBoxPx: number;
}

const tableLayouts = (page: Page): Promise<TableLayout[]> =>
  page.locator('.markdown-body table').evaluateAll((tables) =>
    tables.map((table) => {
      const describe = (element: Element) => `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).trim().split(/\s+/).join('.')}` : ''}`;
      const wrapper = table.parentElement!;
      const box = table.getBoundingClientRect();
      const outer = wrapper.getBoundingClientRect();
      // The wrapper's inside, where the table can show (its borders aside).
      const top = outer.top + wrapper.clientTop;
      const bottom = top + wrapper.clientHeight;
      const verticalScrollers: string[] = [];
      for (let element: Element | null = table.parentElement; element && element !== document.scrollingElement; element = element.parentElement) {
        if (element === document.body || element === document.documentElement) break;
        const { overflowY } = getComputedStyle(element);
        const scrolls = overflowY === 'auto' || overflowY === 'scroll' || overflowY === 'hidden' || overflowY === 'clip';
        if (scrolls && element.scrollHeight > element.clientHeight + 1) {
          verticalScrollers.push(`${describe(element)} (${overflowY}: shows ${element.clientHeight} of ${element.scrollHeight} px)`);
        }
      }
      return {
        head: (table.querySelector('tr')?.textContent ?? '').trim().slice(0, 60),
        height: box.height,
        visibleHeight: Math.max(0, Math.min(box.bottom, bottom) - Math.max(box.top, top)),
        wrapperScrollHeight: wrapper.scrollHeight,
        wrapperClientHeight: wrapper.clientHeight,
        verticalScrollers,
      };
    }),
  );

/** The labels of one diagram (an <svg> locator): their font size as drawn on the screen. */
const diagramLabels = (svg: Locator): Promise<DiagramLabels> =>
  svg.evaluate((element) => {
    const root = element as SVGSVGElement;
    const rect = root.getBoundingClientRect();
    const viewBox = root.viewBox.baseVal;
    const scale = Math.min(rect.width / viewBox.width, rect.height / viewBox.height);
    // HTML labels (foreignObject: the <span>/<p> holding the words) and SVG <text> ones.
    const labels = [...root.querySelectorAll('foreignObject span, foreignObject p, text')].filter(
      (label) => (label.textContent ?? '').trim() !== '' && label.getBoundingClientRect().height > 0,
    );
    const fonts = labels.map((label) => parseFloat(getComputedStyle(label).fontSize) * scale);
    const boxes = labels.map((label) => label.getBoundingClientRect().height);
    return {
      width: rect.width,
      height: rect.height,
      scale,
      labels: labels.length,
      minFontPx: Math.min(...fonts),
      minBoxPx: Math.min(...boxes),
    };
  });

describe.skipIf(!chromiumPath)('the lessons in the browser', () => {
  const wb = useWorkbenchInBrowser({ name: 'lessons', token: TOKEN });
  const { newPage } = wb;

  /** A pattern's Learn tab, its lesson typeset and every diagram drawn. */
  const openLesson = async (patternId: string): Promise<Page> => {
    const page = await newPage();
    await page.goto(`${wb.base}/patterns/${patternId}`);
    await expect(page.getByRole('tab', { name: 'Learn' }).getAttribute('aria-selected', WAIT)).resolves.toBe('true');
    await page.locator('.markdown-body h2[id]').first().waitFor(WAIT);
    await page.locator('.mermaid-diagram svg').first().waitFor(WAIT);
    await expect.poll(() => page.locator('.mermaid-diagram.loading').count(), WAIT).toBe(0);
    expect(await page.locator('.mermaid-diagram.failed').count()).toBe(0);
    return page;
  };

  /** The whole page, from its top: scrolled, a full-page capture draws the sticky header across the middle. */
  const shoot = async (page: Page, name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  };

  /** Every table shows whole: as tall as its content, in no box that scrolls or cuts it vertically. */
  const expectTablesFlow = async (page: Page) => {
    const tables = await tableLayouts(page);
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect(table.height, `the table "${table.head}" has a height`).toBeGreaterThan(40);
      expect(table.visibleHeight, `the table "${table.head}" shows whole`).toBeGreaterThanOrEqual(table.height - 1);
      expect(table.wrapperScrollHeight, `the table "${table.head}"'s wrapper is as tall as its content`).toBeLessThanOrEqual(
        table.wrapperClientHeight + 1,
      );
      expect(table.verticalScrollers, `the table "${table.head}" is in no vertically scrolling box`).toEqual([]);
    }
    return tables;
  };

  it('shows the middleware lesson’s tables whole, its pipeline readable, and opens it full size', async () => {
    const page = await openLesson('middleware');

    // The tables: the first (the files) and the key one (flaw / what goes wrong / what this version does).
    const tables = await expectTablesFlow(page);
    const flaws = tables.find((table) => table.head.startsWith('flaw'));
    expect(flaws, 'the lesson has its "flaw / what goes wrong" table').toBeDefined();
    // Nine rows of several lines each: far taller than the ~225 px box it used to be cut to.
    expect(flaws!.height).toBeGreaterThan(600);
    await page.locator('.markdown-body table', { hasText: 'what goes wrong' }).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('lessons-middleware-flaws-table') });

    // The pipeline (a wide flowchart): labels at a readable size, however wide it is.
    const diagram = page.locator('.mermaid-diagram').first();
    const svg = diagram.locator('svg').first();
    const inPage = await diagramLabels(svg);
    expect(inPage.labels).toBeGreaterThan(5);
    expect(inPage.minFontPx, `labels drawn at ${inPage.minFontPx.toFixed(1)} px (scale ${inPage.scale.toFixed(2)})`).toBeGreaterThanOrEqual(
      MIN_LABEL_PX,
    );
    expect(inPage.minBoxPx).toBeGreaterThanOrEqual(MIN_LABEL_PX);
    // It is not cut: a diagram wider than the column scrolls sideways, never vertically.
    const frame = await diagram.evaluate((figure) => ({ scrollHeight: figure.scrollHeight, clientHeight: figure.clientHeight }));
    expect(frame.scrollHeight).toBeLessThanOrEqual(frame.clientHeight + 1);
    await diagram.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('lessons-middleware-diagram') });

    // A click on the diagram opens it in a modal dialog, larger than in the page.
    await svg.click();
    const dialog = page.getByRole('dialog', { name: 'Diagram, full size' });
    await dialog.waitFor(WAIT);
    const large = await diagramLabels(dialog.locator('svg').first());
    expect(large.width).toBeGreaterThan(inPage.width);
    expect(large.minFontPx).toBeGreaterThan(inPage.minFontPx);
    await page.screenshot({ path: screenshotPath('lessons-diagram-dialog') });

    // Escape closes it, and the keyboard is back on the diagram's "open full size" button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    const trigger = page.getByRole('button', { name: 'Open the diagram full size' }).first();
    await expect.poll(() => trigger.evaluate((button) => button === document.activeElement), WAIT).toBe(true);

    // The same from the keyboard: Enter on the focused button opens it, its Close button closes it.
    await page.keyboard.press('Enter');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });

    await shoot(page, 'lessons-middleware');
  }, 90_000);

  it('shows the circuit breaker lesson’s tables whole and its state diagram readable', async () => {
    const page = await openLesson('circuit-breaker');

    await expectTablesFlow(page);

    const diagram = page.locator('.mermaid-diagram').first();
    const svg = diagram.locator('svg').first();
    const inPage = await diagramLabels(svg);
    expect(inPage.labels).toBeGreaterThan(5);
    expect(inPage.minFontPx, `labels drawn at ${inPage.minFontPx.toFixed(1)} px (scale ${inPage.scale.toFixed(2)})`).toBeGreaterThanOrEqual(
      MIN_LABEL_PX,
    );
    await diagram.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('lessons-circuit-breaker-diagram') });

    await svg.click();
    const dialog = page.getByRole('dialog', { name: 'Diagram, full size' });
    await dialog.waitFor(WAIT);
    const large = await diagramLabels(dialog.locator('svg').first());
    // Never smaller than in the page (a diagram that already shows at its natural size may stay so).
    expect(large.width).toBeGreaterThanOrEqual(inPage.width - 1);
    await page.screenshot({ path: screenshotPath('lessons-circuit-breaker-dialog') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });

    await shoot(page, 'lessons-circuit-breaker');
  }, 90_000);

  it('draws the state diagrams’ transition labels apart from each other and from the states', async () => {
    const overlaps: string[] = [];
    for (const patternId of ['circuit-breaker', 'background-jobs', 'event-bus']) {
      const page = await openLesson(patternId);
      const svg = page.locator('.mermaid-diagram svg[aria-roledescription^="stateDiagram"]').first();
      await svg.waitFor(WAIT);
      const found = await svg.evaluate((root) => {
        const boxes = [
          ...[...root.querySelectorAll('g.edgeLabel')].map((g) => ({ kind: 'label', g })),
          ...[...root.querySelectorAll('g.node')].map((g) => ({ kind: 'state', g })),
        ]
          .map(({ kind, g }) => ({ name: `${kind} "${(g.textContent ?? '').trim()}"`, kind, rect: g.getBoundingClientRect(), text: (g.textContent ?? '').trim() }))
          .filter(({ rect, kind, text }) => rect.width > 1 && rect.height > 1 && (kind === 'state' || text !== ''));
        const hits: string[] = [];
        const SLACK = 1;
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!;
            const b = boxes[j]!;
            if (a.kind === 'state' && b.kind === 'state') continue;
            const w = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
            const h = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
            if (w > SLACK && h > SLACK) hits.push(`${a.name} and ${b.name} (${w.toFixed(0)}×${h.toFixed(0)} px)`);
          }
        }
        return { labels: boxes.filter((box) => box.kind === 'label').length, hits };
      });
      expect(found.labels, `${patternId}: the state diagram has labelled transitions`).toBeGreaterThan(3);
      overlaps.push(...found.hits.map((hit) => `${patternId}: ${hit}`));
      await svg.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`lessons-state-diagram-${patternId}`) });
    }
    expect(overlaps).toEqual([]);
  }, 120_000);
});
