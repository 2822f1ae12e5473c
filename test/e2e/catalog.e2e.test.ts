/**
 * The catalog in a real browser at 1440×900: its cards use the page's width
 * (not a strip on the left), the suggested path lists its tracks with links
 * that open each pattern, and a pattern's "lesson read" mark appears once its
 * Learn tab was read to the end. A screenshot of the catalog goes to
 * test-artifacts/catalog.png; screenshots of failures to catalog-failure-*.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { SUGGESTED_PATH } from '../../web/src/pages/catalog/catalog.ts';
import { STORAGE_KEY } from '../../web/src/progress/learner-progress.ts';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-catalog-token-0123456789abcdef';
const PATTERN_ID = 'repository';
const PATTERN_TITLE = 'Repository';
const OTHER_TITLE = 'Circuit breaker';
/** The marks that apply to the pattern: lesson, lab, tour, and exercises when it has some. */
const PATTERN_MARKS = loadExercises(join(ROOT_DIR, 'exercises')).exercises.some((e) => e.patternId === PATTERN_ID) ? 4 : 3;
const PATTERN_COUNT = SUGGESTED_PATH.flatMap((t) => t.patterns).length;
/** Generous: a loaded 2-core machine runs the server and Chromium at once (and the lesson mark may take its ~10 s). */
const WAIT = { timeout: 30_000 };

describe.skipIf(!chromiumPath)('the catalog in the browser: the width, the suggested path, progress marks', () => {
  const wb = useWorkbenchInBrowser({ name: 'catalog', token: TOKEN });
  const { newPage } = wb;

  /** The catalog, loaded: its heading and every pattern's card. */
  const openCatalog = async (page: Page) => {
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await expect.poll(() => page.locator('.catalog-groups .card').count(), WAIT).toBe(PATTERN_COUNT);
  };

  /** A pattern's card, by its exact title (another card's summary may name it). */
  const cardOf = (page: Page, title: string) =>
    page.locator('.catalog-groups .card').filter({ has: page.locator('.card-title', { hasText: new RegExp(`^${title}$`) }) });

  /** A card's "lesson" mark in words (its ✓/○ sign is hidden from assistive technology, and left out here). */
  const lessonMark = async (page: Page, title: string) =>
    ((await cardOf(page, title).locator('.card-mark.mark-lesson .card-mark-text').textContent(WAIT)) ?? '').trim();

  it('uses the width, lists the suggested path, and marks a lesson read once its Learn tab was read', async () => {
    const page = await newPage();
    await page.goto(wb.base);
    await openCatalog(page);

    // The cards span the main column, not 40% of it (two cards a category in a five-column grid did).
    const extent = await page.evaluate(() => {
      const column = document.querySelector('.catalog')!.getBoundingClientRect();
      const cards = [...document.querySelectorAll('.catalog-groups .card')].map((card) => card.getBoundingClientRect());
      return { column: column.width, left: Math.min(...cards.map((c) => c.left)), right: Math.max(...cards.map((c) => c.right)) };
    });
    expect(extent.column, 'the main column at 1440 px').toBeGreaterThan(1440 * 0.8);
    expect(extent.right - extent.left, `the cards span ${extent.right - extent.left} of ${extent.column} px`).toBeGreaterThanOrEqual(extent.column * 0.8);

    // The suggested path: its tracks in order, each step a link to its pattern.
    const path = page.getByRole('region', { name: 'Suggested path' });
    await path.waitFor(WAIT);
    await expect(path.locator('.path-track-title').allTextContents()).resolves.toEqual(SUGGESTED_PATH.map((t) => t.title));
    for (const [index, track] of SUGGESTED_PATH.entries()) {
      const hrefs = await path
        .locator('.path-track')
        .nth(index)
        .getByRole('link')
        .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
      expect(hrefs, `the ${track.title} track's links`).toEqual(track.patterns.map((id) => `/patterns/${id}`));
    }
    // Nothing done yet in this browser: start at the first step; no lesson is marked read.
    await expect(path.locator('[aria-current="step"]').getByRole('link').textContent()).resolves.toBe(PATTERN_TITLE);
    expect(await lessonMark(page, PATTERN_TITLE)).toBe('Lesson not read yet');

    // A step's link opens its pattern, on the Learn tab.
    await path.getByRole('link', { name: PATTERN_TITLE, exact: true }).click();
    await page.waitForURL(`${wb.base}/patterns/${PATTERN_ID}`);
    await page.getByRole('heading', { level: 1, name: PATTERN_TITLE }).waitFor(WAIT);
    await page.locator('.learn .markdown-body').waitFor(WAIT);

    // Read to the end (scrolled there; the tab open ~10 s would do too): the mark is kept in this browser.
    await expect
      .poll(async () => {
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        return page.evaluate(([key, id]) => JSON.parse(localStorage.getItem(key!) ?? '{}')[id!]?.lessonRead !== undefined, [STORAGE_KEY, PATTERN_ID]);
      }, WAIT)
      .toBe(true);

    // Back in the catalog: that pattern's lesson is read, another's is not.
    await page.locator('.pattern-head').getByRole('link', { name: 'Catalog' }).click();
    await openCatalog(page);
    await expect.poll(() => lessonMark(page, PATTERN_TITLE), WAIT).toBe('Lesson read');
    expect(await lessonMark(page, OTHER_TITLE)).toBe('Lesson not read yet');
    // The path shows it too: one mark of the pattern's done, and it is still where to start.
    const step = path.locator('.path-step', { has: page.getByRole('link', { name: PATTERN_TITLE, exact: true }) });
    await expect(step.locator('.path-step-state').textContent()).resolves.toMatch(new RegExp(`^1 / ${PATTERN_MARKS} marks`));
    await expect(step.getAttribute('aria-current')).resolves.toBe('step');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('catalog'), fullPage: true });
  }, 120_000);
});
