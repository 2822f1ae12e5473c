/**
 * Exercises and the guided tour in a real browser: solving an exercise in
 * the editor until its checks pass, and completing a tour step by breaking
 * the downstream the lab's fault panel controls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { EventMatcher, PatternDetail, TourStep } from '../../server/protocol/api.ts';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-exercises-token-0123456789';
const EXERCISE_ID = 'circuit-breaker.02-limit-half-open-probes';
// Its starter (starter.patch applied) and solution (the pattern's file), as the catalog reads them.
const EXERCISE = loadExercises(join(ROOT_DIR, 'exercises')).exercises.find((e) => e.id === EXERCISE_ID)!;

describe.skipIf(!chromiumPath)('exercises and tours in the browser', () => {
  const wb = useWorkbenchInBrowser({ name: 'exercises', token: TOKEN });

  /** Pastes into the focused element (Monaco's input) through the browser's own paste event. */
  const paste = (page: Page, text: string) =>
    page.evaluate((value) => {
      const data = new DataTransfer();
      data.setData('text/plain', value);
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);

  /** A GET through the page, so it carries the cookie and the page's Origin. */
  const getJson = <T>(page: Page, path: string): Promise<T> => page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;

  it('solves an exercise: the starter fails its checks, the solution passes and ticks every task', async () => {
    const page = await wb.newPage();
    await page.goto(`${wb.base}/patterns/circuit-breaker/exercises`);
    await page.locator('.exercise-card').first().waitFor();
    await page.screenshot({ path: screenshotPath('exercises-tab') });
    await page.getByRole('link', { name: /Limit the half-open probes/ }).click();
    await page.waitForURL(`${wb.base}/exercises/${EXERCISE_ID}`);
    await page.getByRole('heading', { name: 'Limit the half-open probes' }).waitFor();
    const editor = page.locator('[data-testid="exercise-editor"] .monaco-editor');
    await editor.locator('.view-lines').getByText('halfOpenMaxProbes').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('exercise-before') });

    // The starter: some checks fail, no task is ticked.
    await page.getByRole('button', { name: /Run checks/ }).click();
    await page.locator('.results-head.fail').waitFor({ timeout: 30_000 });
    expect(await page.locator('.check.fail, .check.error').count()).toBeGreaterThan(0);
    expect(await page.locator('.task.done').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('exercise-starter-failing') });

    // The solution only after confirming, as a diff beside the learner's code.
    await page.getByRole('button', { name: 'Show solution' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Show the solution' }).click();
    await page.locator('[data-testid="solution-diff"] .monaco-diff-editor .line-insert').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('exercise-solution-diff') });
    await page.getByRole('button', { name: 'Hide solution' }).click();

    // The solution pasted over the whole file. A paste is one edit through Monaco's own
    // clipboard handling; keyboard.insertText is typed character by character (35 s for this
    // file) and Monaco's auto-indent and comment continuation mangle it.
    const solution = EXERCISE.solution;
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await paste(page, solution);
    // Saved as a draft as it was typed.
    await page.locator('.save-state.saved').waitFor({ timeout: 10_000 });
    const saved = await getJson<{ draft: { code: string } | null }>(page, `/api/exercises/${EXERCISE_ID}`);
    expect(saved.draft?.code).toBe(solution);

    // F2 runs the checks from inside the editor.
    await page.keyboard.press('F2');
    await page.locator('.results-head.pass').waitFor({ timeout: 30_000 });
    const tasks = await page.locator('.task').count();
    expect(tasks).toBeGreaterThan(0);
    expect(await page.locator('.task.done').count()).toBe(tasks);
    expect(await page.locator('.check.fail, .check.error').count()).toBe(0);
    await expect(page.getByTestId('exercise-status').textContent()).resolves.toBe('solved');
    await page.screenshot({ path: screenshotPath('exercise-after') });

    // A return visit starts from the saved draft, with the last results.
    await page.reload();
    await page.locator('.results-head.pass').waitFor({ timeout: 30_000 });
    // Monaco draws only the lines in view: go to the fixed line (Ctrl+G) and find it there.
    const fixedLine = solution.split('\n').findIndex((line) => line.includes('probes are taken')) + 1;
    await editor.locator('.view-lines').first().waitFor({ timeout: 30_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(fixedLine));
    await page.keyboard.press('Enter');
    await editor.locator('.view-lines').getByText('probes are taken').first().waitFor({ timeout: 10_000 });

    // Try it in the lab: a run of its own with the exercise code pinned, the Lab tab open on it;
    // the pattern's file is not touched.
    const fileBefore = await getJson<{ content: string; version: number }>(page, '/api/patterns/circuit-breaker/files/circuit-breaker.ts');
    await page.getByRole('button', { name: /Try it in the lab/ }).click();
    await page.waitForURL(/\/patterns\/circuit-breaker\/lab\?run=[0-9a-f]+$/);
    const runId = new URL(page.url()).searchParams.get('run')!;
    await page.locator('.run-state.running').waitFor({ timeout: 20_000 });
    await page.getByText('your exercise code (pinned)').waitFor({ timeout: 10_000 });
    await page.locator('.run-meta code', { hasText: runId }).waitFor({ timeout: 10_000 });
    const run = await getJson<{ code: { follows: string; files: string[] } }>(page, `/api/runs/${runId}`);
    expect(run.code).toMatchObject({ follows: 'pinned', files: ['circuit-breaker.ts'] });
    const file = await getJson<{ content: string; version: number }>(page, '/api/patterns/circuit-breaker/files/circuit-breaker.ts');
    expect(file).toEqual(fileBefore);
    await page.getByRole('button', { name: /Stop run/ }).click();
    await page.locator('.run-state.stopped').waitFor({ timeout: 20_000 });

    // The catalog counts it as solved.
    await page.goto(wb.base);
    const card = page.locator('.card', { hasText: 'Circuit breaker' });
    await expect(card.locator('.badge.exercises').textContent()).resolves.toMatch(/^[1-9]\d* \/ \d+ exercises solved$/);

    // Progress goes out as a JSON file; a file that is not an export is refused with a clear message.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export progress' }).click()]);
    // Saved through the connection: the shared browser's own download folder is not this process's to read.
    const savedAs = join(wb.dir, 'progress-export.json');
    await download.saveAs(savedAs);
    const exported = JSON.parse(readFileSync(savedAs, 'utf8')) as { format: string; progress: Array<{ exerciseId: string; status: string }> };
    expect(exported.format).toBe('patterns-workbench-progress');
    expect(exported.progress).toContainEqual(expect.objectContaining({ exerciseId: EXERCISE_ID, status: 'solved' }));
    await page.getByTestId('progress-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"not": "progress"}') });
    await expect(page.locator('.progress-message.error').textContent()).resolves.toMatch(/notes\.json is not a Patterns Workbench progress export/);
    await page.getByTestId('progress-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    await expect(page.locator('.progress-message.ok').textContent()).resolves.toMatch(/^Imported mine\.json/);
    await page.screenshot({ path: screenshotPath('catalog-progress') });
    await page.close();
  }, 120_000);

  it('ticks a tour step when the learner injects the fault it asks for', async () => {
    const page = await wb.newPage();
    const pattern = await (async () => {
      await page.goto(`${wb.base}/patterns/circuit-breaker/lab`);
      return getJson<PatternDetail>(page, '/api/patterns/circuit-breaker');
    })();
    const tour = pattern.tour;
    expect(tour, 'patterns/circuit-breaker/tour.ts should define the tour').toBeTruthy();
    const faultStep = tour!.steps.findIndex((step: TourStep) => step.until.some((m: EventMatcher) => m.type === 'fault.changed'));
    expect(faultStep, 'a tour step asks for a fault').toBeGreaterThanOrEqual(0);

    await page.getByRole('button', { name: /Start (a new )?run/ }).click();
    await page.locator('.run-state.running').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Start tour' }).click();
    const panel = page.getByRole('region', { name: 'Guided tour' });
    await panel.waitFor();

    // The steps before the fault step complete as traffic flows (the lab's default load).
    const step = `.tour-step[data-step="${faultStep + 1}"]`;
    await panel.locator(`${step}.current`).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('tour-before-fault') });

    // Break payments from the fault panel: every call fails.
    await page.locator('.fault-panel').first().getByRole('button', { name: 'Fail 100%' }).click();
    await panel.locator(`${step}.done`).waitFor({ timeout: 20_000 });
    await expect(panel.locator(`${step} .explanation`).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('tour-step-done') });

    await page.getByRole('button', { name: /Stop run/ }).click();
    await page.close();
  }, 120_000);

  it('points at the line of code that does not compile, and keeps it out of the lab', async () => {
    const page = await wb.newPage();
    await page.goto(`${wb.base}/exercises/${EXERCISE_ID}`);
    const editor = page.locator('[data-testid="exercise-editor"] .monaco-editor');
    await editor.locator('.view-lines').first().waitFor({ timeout: 30_000 });
    const starter = EXERCISE.starter;
    const broken = starter.replace('state.probesInFlight++;', 'state.probesInFlight++ +;');
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('++ +;')) + 1;
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await paste(page, broken);

    await page.keyboard.press('ControlOrMeta+Enter');
    await page.locator('.results-head.error').waitFor({ timeout: 30_000 });
    const location = page.locator('.results-error .location-link');
    await expect(location.textContent()).resolves.toMatch(new RegExp(`circuit-breaker\\.ts:${brokenLine}:\\d+$`));
    // The location reveals the line, where a marker underlines the error.
    await location.click();
    await editor.locator('.squiggly-error').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('exercise-compile-error') });

    await page.getByRole('button', { name: /Try it in the lab/ }).click();
    await page.getByText('Not taken to the lab: your code does not load.').waitFor({ timeout: 20_000 });
    expect(page.url()).toBe(`${wb.base}/exercises/${EXERCISE_ID}`);

    // Back to the starter (confirmed), ready for another go.
    await page.getByRole('button', { name: 'Reset to starter' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
    await page.locator('.save-state.saved').waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await getJson<{ draft: { code: string } | null }>(page, `/api/exercises/${EXERCISE_ID}`)).draft?.code).toBe(starter);
    await page.close();
  }, 90_000);
});
