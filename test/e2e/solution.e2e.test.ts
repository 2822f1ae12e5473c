/**
 * The solution in a real browser: after the confirmation its diff takes the
 * page's width, "Copy solution" puts the reference file on the clipboard
 * (and says "Copied"), and the exercise's progress notes that the solution
 * was viewed before it was solved, on the exercise and in the Exercises tab.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-solution-token-0123456789';
const EXERCISE_ID = 'circuit-breaker.02-limit-half-open-probes';
// Its solution (the pattern's reference file), as the catalog reads it.
const EXERCISE = loadExercises(join(ROOT_DIR, 'exercises')).exercises.find((e) => e.id === EXERCISE_ID)!;

describe.skipIf(!chromiumPath)('the solution in the browser', () => {
  const wb = useWorkbenchInBrowser({ name: 'solution', token: TOKEN, context: { permissions: ['clipboard-read', 'clipboard-write'] } });

  it('shows the solution across the page, copies it, and notes it as viewed in the progress', async () => {
    const page = await wb.newPage();
    await page.goto(`${wb.base}/exercises/${EXERCISE_ID}`);
    await page.getByRole('heading', { name: 'Limit the half-open probes' }).waitFor();
    const editor = page.locator('[data-testid="exercise-editor"] .monaco-editor');
    await editor.locator('.view-lines').getByText('halfOpenMaxProbes').first().waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('exercise-status').textContent()).resolves.toBe('new');
    expect(await page.getByTestId('exercise-solution-viewed').count()).toBe(0);

    // Only after the confirmation.
    await page.getByRole('button', { name: 'Show solution' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Show the solution' }).click();
    const diff = page.getByTestId('solution-diff');
    await diff.locator('.monaco-diff-editor .line-insert').first().waitFor({ timeout: 10_000 });

    // The diff uses the page's width: the instructions step aside while it is open.
    const pageWidth = await page.evaluate(() => document.documentElement.clientWidth);
    const box = await diff.boundingBox();
    expect(box, 'the diff has a box').not.toBeNull();
    expect(box!.width).toBeGreaterThanOrEqual(0.7 * pageWidth);
    await expect(page.getByRole('complementary', { name: 'Instructions' }).isVisible()).resolves.toBe(false);
    // Side by side: the learner's code and the solution, each an editor of the diff.
    expect(await diff.locator('.monaco-editor').count()).toBeGreaterThanOrEqual(2);

    // The header notes the solution as viewed, from the workbench's answer.
    await expect(page.getByTestId('exercise-solution-viewed').textContent()).resolves.toBe('solution viewed');
    await expect(page.getByTestId('exercise-status').textContent()).resolves.toBe('started');

    // Copy solution: the reference file on the clipboard, and a polite "Copied".
    await page.bringToFront();
    await page.getByRole('button', { name: 'Copy solution' }).click();
    const status = page.getByTestId('copy-status');
    await status.filter({ hasText: 'Copied' }).waitFor({ timeout: 5_000 });
    await expect(status.getAttribute('aria-live')).resolves.toBe('polite');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(EXERCISE.solution);
    await page.screenshot({ path: screenshotPath('solution') });

    // Closed, the instructions are back.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('complementary', { name: 'Instructions' }).waitFor();

    // The Exercises tab lists it as viewed (the workbench's record, after a reload).
    await page.goto(`${wb.base}/patterns/circuit-breaker/exercises`);
    const card = page.locator('.exercise-card', { hasText: 'Limit the half-open probes' });
    await card.waitFor();
    await card.getByText('solution viewed').waitFor({ timeout: 10_000 });
    await expect(card.locator('.badge.status').textContent()).resolves.toBe('started');
    // The others were not viewed.
    expect(await page.locator('.exercise-card', { hasText: 'solution viewed' }).count()).toBe(1);
    await page.close();
  }, 120_000);
});
