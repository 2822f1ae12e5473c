/**
 * The learner's bearings in a real browser: the tab's title follows the page
 * (the catalog, each tab of a pattern, an exercise), breadcrumbs use the
 * catalog's own word for a category, and the fault form says what is wrong
 * in its own words ("Latency must be at least 0 ms"), not `latencyBaseMs`.
 * Screenshots of failures go to test-artifacts/page-titles-*.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { chromiumPath, unfold } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-page-titles-token-0123456789';
const SUFFIX = ' — Patterns Workbench';
const PATTERN_ID = 'circuit-breaker';
const PATTERN_TITLE = 'Circuit breaker';
const EXERCISE_ID = 'circuit-breaker.02-limit-half-open-probes';
const EXERCISE = loadExercises(join(ROOT_DIR, 'exercises')).exercises.find((e) => e.id === EXERCISE_ID)!;
/** Generous: a loaded 2-core machine runs the server, the runs' workers and Chromium at once. */
const WAIT = { timeout: 30_000 };

describe.skipIf(!chromiumPath)('page titles, breadcrumbs and form-worded errors in the browser', () => {
  const wb = useWorkbenchInBrowser({ name: 'page-titles', token: TOKEN, stopRunsAfterEach: true });
  beforeAll(() => expect(EXERCISE, `the exercise ${EXERCISE_ID}`).toBeDefined());
  const { newPage } = wb;

  /** The tab's title, once it settles on `expected` (pages set it when their data has loaded). */
  const expectTitle = (page: Page, expected: string) => expect.poll(() => page.title(), WAIT).toBe(expected);

  /** The catalog's heading over the group a pattern's card is in ("Resilience"), as the page's text has it. */
  const catalogHeadingOf = async (page: Page, patternTitle: string): Promise<string> => {
    const group = page.locator('section.category', { has: page.locator('.card', { hasText: patternTitle }) });
    return ((await group.locator('h2').textContent(WAIT)) ?? '').trim();
  };

  it('titles the catalog, each tab of a pattern and an exercise, and the breadcrumbs use the catalog’s words', async () => {
    const page = await newPage();
    await page.goto(wb.base);
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await expectTitle(page, `Catalog${SUFFIX}`);
    const heading = await catalogHeadingOf(page, PATTERN_TITLE);
    // The catalog's word, not the category id.
    expect(heading).toBe('Resilience');

    // Into the pattern from its card: the Learn tab.
    await page.locator('.card', { hasText: PATTERN_TITLE }).click();
    await page.waitForURL(`${wb.base}/patterns/${PATTERN_ID}`);
    await page.getByRole('heading', { level: 1, name: PATTERN_TITLE }).waitFor(WAIT);
    await expectTitle(page, `${PATTERN_TITLE} · Learn${SUFFIX}`);
    const crumb = page.locator('.pattern-head .breadcrumb-category');
    await expect.poll(async () => (await crumb.textContent())?.trim(), WAIT).toBe(`/ ${heading}`);

    // Each tab, by its link: the title follows without a reload.
    for (const tab of ['Code', 'Lab', 'Exercises', 'Learn']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.waitForURL(`${wb.base}/patterns/${PATTERN_ID}/${tab.toLowerCase()}`);
      await expectTitle(page, `${PATTERN_TITLE} · ${tab}${SUFFIX}`);
    }

    // A tab opened by its address.
    await page.goto(`${wb.base}/patterns/${PATTERN_ID}/lab`);
    await expectTitle(page, `${PATTERN_TITLE} · Lab${SUFFIX}`);

    // An exercise: its title, then its pattern's.
    await page.goto(`${wb.base}/exercises/${EXERCISE_ID}`);
    await page.getByRole('heading', { level: 1, name: EXERCISE.title }).waitFor(WAIT);
    await expectTitle(page, `Exercise: ${EXERCISE.title} · ${PATTERN_TITLE}${SUFFIX}`);
    // Its breadcrumb names the category in the catalog's word too.
    await expect.poll(async () => (await page.locator('.exercise-head .breadcrumb').textContent())?.replace(/\s+/g, ' ').trim(), WAIT).toBe(
      `Catalog / ${heading} / ${PATTERN_TITLE} / Exercises`,
    );

    // Back to the catalog through the breadcrumb: the title follows.
    await page.locator('.exercise-head .breadcrumb').getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await expectTitle(page, `Catalog${SUFFIX}`);
  }, 120_000);

  it('says what is wrong in the fault form in the form’s words', async () => {
    const page = await newPage();
    await page.goto(`${wb.base}/patterns/${PATTERN_ID}/lab`);
    await page.getByRole('button', { name: /Start (a new )?run/ }).click(WAIT);
    await page.locator('.run-state.running').waitFor(WAIT);

    const panel = page.locator('.fault-panel', { hasText: 'Payments service' });
    await unfold(panel.locator('.fault-form-fold'));
    const latency = panel.getByLabel('Latency base (ms)');
    await latency.waitFor(WAIT);
    await expect.poll(() => latency.isEnabled(), WAIT).toBe(true);
    await latency.fill('-5');
    await panel.getByRole('button', { name: 'Apply' }).click(WAIT);

    const errors = panel.locator('.field-errors');
    await errors.getByText('Latency must be at least 0 ms').waitFor(WAIT);
    await expect(latency.getAttribute('aria-invalid')).resolves.toBe('true');
    // The learner reads the form's words, never its internal field names.
    const text = (await errors.textContent()) ?? '';
    expect(text).not.toMatch(/latencyBaseMs|baseMs|latency\.base/);
    // Nothing was sent: the run's payments fault is still healthy.
    await panel.locator('.fault-now.healthy').waitFor(WAIT);

    // Fixed, the message goes.
    await latency.fill('0');
    await panel.getByRole('button', { name: 'Apply' }).click(WAIT);
    await expect.poll(() => errors.count(), WAIT).toBe(0);

    await page.getByRole('button', { name: /Stop run/ }).click();
    await page.locator('.run-state.stopped').waitFor(WAIT);
  }, 120_000);
});
