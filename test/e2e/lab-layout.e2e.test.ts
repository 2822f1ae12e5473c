/**
 * The Lab tab keeps a usable layout with the guided tour open, measured in a
 * real browser: the tour heads the controls column (it takes no width from
 * the views), chart tick labels do not run together, the circuit's
 * transitions stay on one line each, and timeline markers close together
 * (a fault change and a load change a few ms apart) have labels that do not
 * overlap. At 1440×900, then 1280×800; at 1024 the tour sits above the lab.
 * Screenshots go to test-artifacts/lab-layout-*.png.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { healthySpec } from '../../patterns/kit/faults.ts';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-lab-layout-token-0123456789';
const PATTERN_ID = 'circuit-breaker';
/** Generous: a loaded 2-core machine runs the server, the runs' workers and Chromium at once. */
const WAIT = { timeout: 30_000 };

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** Whether two boxes share any area (touching edges do not count). */
const intersect = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const overlapping = (boxes: Box[]): Array<[number, number]> =>
  boxes.flatMap((a, i) => boxes.slice(i + 1).flatMap((b, j): Array<[number, number]> => (intersect(a, b) ? [[i, i + 1 + j]] : [])));

describe.skipIf(!chromiumPath)('the lab’s layout with the guided tour open', () => {
  const wb = useWorkbenchInBrowser({ name: 'lab-layout', token: TOKEN, stopRunsAfterEach: true });
  const { newPage } = wb;

  const width = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())?.width ?? 0;

  /** Every chart's time-axis tick labels, per chart: none may overlap another of its chart. */
  const tickOverlaps = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('.charts-view .chart')].flatMap((figure, chart) => {
        const boxes = [...figure.querySelectorAll('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')].map((t) => t.getBoundingClientRect());
        const clash: string[] = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, b] = [boxes[i]!, boxes[j]!];
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) clash.push(`chart ${chart}: ticks ${i} and ${j}`);
          }
        return clash;
      }),
    );

  /** The circuit's transitions that take more than one line: their text and height against the line height. */
  const wrappedTransitions = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.sm-transitions li')]
        .filter((li) => {
          const style = getComputedStyle(li);
          // One line's height: the line height, or (`normal`) about 1.4 times the font's size.
          const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
          return li.getBoundingClientRect().height > line * 1.5;
        })
        .map((li) => `${li.textContent} (${li.getBoundingClientRect().height} px)`),
    );

  /** What is measured at each width with the tour open. */
  const expectUsable = async (page: Page, minViewsWidth: number) => {
    expect(await width(page, '.lab-views'), 'the views column').toBeGreaterThanOrEqual(minViewsWidth);
    // The tour heads the controls column, above the fault panel.
    await expect.poll(() => page.locator('.lab-controls > .tour-slot:first-child').getByRole('region', { name: 'Guided tour' }).isVisible(), WAIT).toBe(true);
    await expect.poll(() => tickOverlaps(page), WAIT).toEqual([]);
    await expect.poll(() => wrappedTransitions(page), WAIT).toEqual([]);
    const boxes = await page.locator('.timeline .timeline-marker').evaluateAll((labels) => labels.map((l) => l.getBoundingClientRect().toJSON() as Box));
    expect(overlapping(boxes), 'timeline labels that overlap').toEqual([]);
  };

  it('keeps the views wide, the chart ticks apart, the transitions on one line and close markers’ labels apart', async () => {
    const page = await newPage();
    await page.goto(`${wb.base}/patterns/${PATTERN_ID}/lab`);
    await page.getByRole('button', { name: /Start (a new )?run/ }).click(WAIT);
    await page.locator('.run-state.running').waitFor(WAIT);
    const viewsAlone = await width(page, '.lab-views');

    await page.getByRole('button', { name: 'Start tour' }).click(WAIT);
    const tour = page.getByRole('region', { name: 'Guided tour' });
    await tour.waitFor(WAIT);
    // The tour takes no width from the views: they are as wide as without it.
    expect(await width(page, '.lab-views')).toBeCloseTo(viewsAlone, 0);
    expect(viewsAlone).toBeGreaterThanOrEqual(950);

    // Break payments from the fault panel: the circuit opens, and its transitions are listed.
    await page.locator('.fault-panel', { hasText: 'Payments service' }).getByRole('button', { name: 'Fail 100%' }).click(WAIT);
    await page.locator('.sm-transitions li').first().waitFor(WAIT);
    // The charts have points to draw (metrics come once a second).
    await page.locator('.charts-view .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').nth(1).waitFor(WAIT);

    // Two changes a few ms apart: heal payments and stop the load, at once.
    const runId = wb.workbench.runs.live()[0]!.id;
    const statuses = await page.evaluate(
      async ({ runId, healthy }) => {
        const put = (path: string, body: unknown) =>
          fetch(`/api/runs/${runId}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
        return Promise.all([put('faults/payments', healthy), put('load', { model: 'none' })]);
      },
      { runId, healthy: healthySpec() },
    );
    expect(statuses.every((s) => s < 300), `PUT statuses ${statuses.join(', ')}`).toBe(true);
    const markers = page.locator('.timeline .timeline-marker');
    // The fault marker from the preset, then the two close ones (or one merged label holding them).
    await expect.poll(async () => (await markers.allTextContents()).join(' | '), WAIT).toMatch(/load: (no load|none)|changes/);
    // Three changes in all: the preset, then the heal and the load (a merged label counts its own).
    const changes = async () => (await markers.allTextContents()).reduce((sum, text) => sum + Number(/^(\d+) changes$/.exec(text)?.[1] ?? 1), 0);
    await expect.poll(changes, WAIT).toBeGreaterThanOrEqual(3);
    // Each marker names itself, with its time.
    for (const name of await markers.evaluateAll((labels) => labels.map((l) => l.getAttribute('aria-label') ?? '')))
      expect(name).toMatch(/, at \d+(\.\d+)? s/);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('lab-layout-1440-tour') });
    await expectUsable(page, 950);

    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(() => width(page, '.lab-views'), WAIT).toBeLessThan(viewsAlone);
    await page.screenshot({ path: screenshotPath('lab-layout-1280-tour') });
    await expectUsable(page, 800);

    // Narrower, the controls fall under the views: the tour sits above the lab, full width.
    await page.setViewportSize({ width: 1024, height: 768 });
    await expect.poll(() => page.locator('.lab > .tour-slot:first-child').getByRole('region', { name: 'Guided tour' }).isVisible(), WAIT).toBe(true);
    expect(await width(page, '.tour-panel')).toBeCloseTo(await width(page, '.lab-views'), 0);
    await expect.poll(() => tickOverlaps(page), WAIT).toEqual([]);
    await expect.poll(() => wrappedTransitions(page), WAIT).toEqual([]);
    await page.screenshot({ path: screenshotPath('lab-layout-1024-tour') });
  }, 180_000);
});
