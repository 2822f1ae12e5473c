/**
 * Accessibility in a real browser. axe-core (through @axe-core/playwright,
 * whose peer is playwright-core) checks, in the light and the dark theme, the
 * catalog, a pattern's four tabs (Learn, Code with Monaco loaded, Lab before a
 * run and while one is going with the guided tour open, Exercises) and an
 * exercise page: no violation of impact serious or critical under the WCAG 2.0
 * A/AA and 2.1 AA rules, and every input, select, textarea and button named.
 * Then the keyboard alone: the shortcuts dialog, from the catalog into a
 * pattern, a diagram opened full size and closed with Escape (focus back on
 * its button), across the tabs, out of the code editor (Ctrl+M), a run
 * started, a request's details opened from the log and closed.
 *
 * Nothing is excluded from axe, Monaco included: its dark theme's line numbers
 * and comments fell short of 4.5:1 and are fixed in our theme for it
 * (pages/pattern/code/useMonaco.ts), not waived.
 *
 * One workbench and one run for the whole file; the theme is switched with the
 * top bar's select on the same page. What was checked is saved as
 * test-artifacts/accessibility-<theme>-<page>.png; failures as
 * test-artifacts/accessibility-failure-*.png.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath, screenshotPath } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-accessibility-token-0123456789';
const PATTERN_ID = 'circuit-breaker';
const PATTERN_TITLE = 'Circuit breaker';
const EXERCISE_ID = 'circuit-breaker.02-limit-half-open-probes';
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];
/** Generous: a loaded 2-core machine runs the server, the run's workers and Chromium at once. */
const WAIT = { timeout: 30_000 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SERIOUS = new Set(['serious', 'critical']);
/** The roles of controls that must have a name: inputs, selects, textareas, buttons and their ARIA kin. */
const CONTROL_ROLES = new Set(['button', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'tab', 'menuitem', 'link']);

describe.skipIf(!chromiumPath)('accessibility: axe-core in both themes, and the keyboard alone', () => {
  const wb = useWorkbenchInBrowser({ name: 'accessibility', token: TOKEN });

  /** A page in `theme`, chosen as the theme select stores it, before the app's first paint. */
  const newPage = async (theme: Theme): Promise<Page> => {
    const page = await wb.newPage();
    // Once for this tab: after that the theme select chooses (useTheme), and navigations keep its choice.
    await page.addInitScript((value) => {
      if (sessionStorage.getItem('a11y-theme-set')) return;
      localStorage.setItem('workbench.theme', value);
      sessionStorage.setItem('a11y-theme-set', '1');
    }, theme);
    return page;
  };

  /**
   * axe's serious and critical violations on the page as it is now, one readable line per rule
   * (`[dark] Lab, running: color-contrast (serious) ×2: .run-state.running, .badge — Elements must
   * meet minimum color contrast ratio thresholds (…contrast of 3.8…)`), plus any control that
   * Chromium's accessibility tree leaves without a name.
   */
  const audit = async (page: Page, where: string): Promise<string[]> => {
    // The theme the page is really in: a check of "dark" that ran in light would prove nothing.
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    // Animations settle first: a colour caught mid-transition is not the page's colour.
    await page.waitForTimeout(300);
    // Violations only: axe skips the details of what passed, which on the lab's busy page is most of its time.
    const results = await new AxeBuilder({ page }).withTags(TAGS).options({ resultTypes: ['violations'] }).analyze();
    const lines: string[] = [];
    for (const violation of results.violations) {
      if (!SERIOUS.has(violation.impact ?? '')) continue;
      const targets = violation.nodes.map((node) => node.target.join(' '));
      const shown = targets.slice(0, 4).join(', ') + (targets.length > 4 ? `, … (${targets.length - 4} more)` : '');
      const detail = violation.nodes[0]?.failureSummary?.split('\n').slice(1, 2).join(' ').trim();
      lines.push(`[${theme}] ${where}: ${violation.id} (${violation.impact}) ×${targets.length}: ${shown} — ${violation.help}${detail ? ` (${detail})` : ''}`);
    }
    // Every control named, as the browser computes it for assistive technology (what is inert
    // behind a modal dialog, or hidden, is not in the tree).
    for (const control of await unnamedControls(page)) lines.push(`[${theme}] ${where}: no accessible name on ${control}`);
    // What was checked, to look at: test-artifacts/accessibility-<theme>-<page>.png.
    await page.screenshot({ path: screenshotPath(`accessibility-${theme}-${where.toLowerCase().replace(/[^a-z]+/g, '-')}`) });
    return lines;
  };

  /** The inputs, selects, textareas and buttons of the page's accessibility tree that have no name. */
  const unnamedControls = async (page: Page): Promise<string[]> => {
    const cdp = await wb.context.newCDPSession(page);
    try {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: Array<{ ignored: boolean; role?: { value: string }; name?: { value: string }; backendDOMNodeId?: number }>;
      };
      const unnamed: string[] = [];
      for (const node of nodes) {
        if (node.ignored || !node.role || !CONTROL_ROLES.has(node.role.value) || (node.name?.value ?? '').trim() !== '') continue;
        if (node.backendDOMNodeId === undefined) continue;
        const { node: dom } = (await cdp.send('DOM.describeNode', { backendNodeId: node.backendDOMNodeId })) as {
          node: { localName: string; attributes?: string[] };
        };
        const attributes = dom.attributes ?? [];
        const attr = (name: string) => attributes[attributes.indexOf(name) + 1];
        const klass = attributes.includes('class') ? `.${attr('class')!.trim().split(/\s+/).join('.')}` : '';
        // Native controls and elements given a widget role: not the links and text the tree also names.
        if (!['input', 'select', 'textarea', 'button'].includes(dom.localName) && !attributes.includes('role')) continue;
        unnamed.push(`${dom.localName}${klass} (role ${node.role.value})`);
      }
      return unnamed;
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  };

  const expectClean = (found: string[]) => expect(found, `axe found (serious or critical):\n  ${found.join('\n  ')}\n`).toEqual([]);

  const openTab = async (page: Page, tab: string) => {
    await page.goto(`${wb.base}/patterns/${PATTERN_ID}/${tab}`);
    await page.getByRole('heading', { level: 1, name: PATTERN_TITLE }).waitFor(WAIT);
  };

  /** The theme, chosen as a learner does: in the top bar's select. */
  const useTheme = async (page: Page, theme: Theme) => {
    await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme), WAIT).toBe(theme);
  };

  /**
   * The page as it is, audited in both themes: the one it is in first, then the other (so the
   * next page starts in the theme this one ended in, and no page is loaded twice).
   */
  const auditBothThemes = async (page: Page, where: string, settled?: () => Promise<void>): Promise<string[]> => {
    const first = (await page.evaluate(() => document.documentElement.dataset.theme)) as Theme;
    const found = await audit(page, where);
    await useTheme(page, first === 'dark' ? 'light' : 'dark');
    await settled?.();
    found.push(...(await audit(page, where)));
    return found;
  };

  it('the catalog, Learn, Code and Exercises tabs and an exercise page have no serious or critical violation, in both themes', async () => {
    const found: string[] = [];
    const page = await newPage('light');
    await page.goto(wb.base);
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await page.locator('.catalog-groups .card').first().waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Catalog')));

    // The lesson and its diagrams drawn (again in the new theme's colours once it changes).
    const diagramsDrawn = () => page.locator('.mermaid-svg svg').first().waitFor(WAIT);
    await openTab(page, 'learn');
    await diagramsDrawn();
    found.push(...(await auditBothThemes(page, 'Learn', diagramsDrawn)));
    // A diagram full size, in its dialog.
    await page.getByRole('button', { name: 'Open the diagram full size' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Diagram, full size' });
    await dialog.waitFor(WAIT);
    found.push(...(await audit(page, 'Learn, diagram dialog')));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });

    // Monaco loaded, with the file's text drawn.
    await openTab(page, 'code');
    await page.locator('.monaco-editor .view-lines').first().waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Code')));

    await openTab(page, 'exercises');
    await page.locator('.exercise-card').first().waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Exercises tab')));

    await page.goto(`${wb.base}/exercises/${EXERCISE_ID}`);
    await page.locator('.exercise-head h1').waitFor(WAIT);
    await page.locator('.monaco-editor .view-lines').first().waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Exercise page')));
    expectClean(found);
  }, 120_000);

  it('the lab, before a run and while one is going with the tour open, has no serious or critical violation, in both themes', async () => {
    // The lab's own sources (LabTab, its panels, the views, the tour, lab.css) are other files than
    // the rest of the app's: a violation here names its element, to be fixed at its source.
    const found: string[] = [];
    const page = await newPage('dark');
    await openTab(page, 'lab');
    await page.locator('.run-bar').waitFor(WAIT);
    const start = page.getByRole('button', { name: /Start (a new )?run/ });
    await start.waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Lab, before a run')));

    await start.click();
    await page.locator('.run-state.running').waitFor(WAIT);
    // The request log fills in; the tour opens beside the lab.
    await page.locator('.tv-body [role="row"]').first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Start tour' }).click();
    await page.getByRole('region', { name: 'Guided tour' }).waitFor(WAIT);
    // The view paused (a live log's rows move under the pointer; the run goes on), a request's details open.
    await page.getByRole('button', { name: /Pause/ }).click();
    await page.locator('.tv-body [role="row"]').last().click();
    await page.locator('.tv-details').first().waitFor(WAIT);
    found.push(...(await auditBothThemes(page, 'Lab, running, tour and a request’s details open')));
    expectClean(found);
  }, 120_000);

  it('does with the keyboard what the mouse does: a pattern from the catalog, its tabs, a run, a request’s details, a diagram full size', async () => {
    const page = await newPage('light');
    await page.goto(wb.base);
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await page.locator('.catalog-groups .card').first().waitFor(WAIT);

    /** Tab (or Shift+Tab) until `matches` holds of the focused element; fails after `limit` presses. */
    const tabTo = async (what: string, matches: string, options: { back?: boolean; limit?: number } = {}) => {
      for (let i = 0; i < (options.limit ?? 200); i++) {
        await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
        if (await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, matches)) return;
      }
      throw new Error(`Tab never reached ${what} (${matches})`);
    };

    // The shortcuts' dialog: opened from its button, focus inside; Esc closes it and focus is back on the button.
    await tabTo('the shortcuts button', 'button[aria-label="Keyboard shortcuts"]', { back: true });
    await page.keyboard.press('Enter');
    const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await shortcuts.waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('dialog') !== null), WAIT).toBe(true);
    await page.keyboard.press('Escape');
    await shortcuts.waitFor({ state: 'detached', ...WAIT });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), WAIT).toBe('Keyboard shortcuts');

    // The catalog: Tab reaches the pattern's card, Enter opens it.
    await tabTo('the pattern’s card', `.catalog-groups a.card[href="/patterns/${PATTERN_ID}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${wb.base}/patterns/${PATTERN_ID}`);
    await page.getByRole('heading', { level: 1, name: PATTERN_TITLE }).waitFor(WAIT);

    // The lesson's diagram: its button opens it full size, Escape closes it, focus comes back to the button.
    await page.locator('.mermaid-svg svg').first().waitFor(WAIT);
    await tabTo('the diagram’s full-size button', '.mermaid-expand');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Diagram, full size' });
    await dialog.waitFor(WAIT);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('mermaid-expand')), WAIT).toBe(true);

    // The tabs: one tab stop (the open tab), the arrow keys move along them (and round), Enter opens one.
    for (const tab of ['Code', 'Exercises', 'Lab']) {
      await tabTo('the open tab', '[aria-label="Pattern sections"] [role="tab"][aria-selected="true"]', { back: true });
      const target = `[role="tab"][href="/patterns/${PATTERN_ID}/${tab.toLowerCase()}"]`;
      for (let i = 0; i < 4 && !(await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, target)); i++) {
        await page.keyboard.press('ArrowRight');
      }
      await expect(page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, target)).resolves.toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${wb.base}/patterns/${PATTERN_ID}/${tab.toLowerCase()}`);
      await expect.poll(() => page.getByRole('tab', { name: tab }).getAttribute('aria-selected'), WAIT).toBe('true');
      if (tab !== 'Code') continue;
      // The editor takes Tab (it indents) until Monaco's own toggle, Ctrl+M, lets Tab leave it, as the hint under it says.
      await page.locator('.monaco-editor .view-lines').first().waitFor(WAIT);
      await page.getByText('In the editor Tab indents').waitFor(WAIT);
      await tabTo('the editor', '.monaco-editor *');
      await page.keyboard.press('Control+m');
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.monaco-editor') === null), WAIT).toBe(true);
    }

    // A run, started from the keyboard (or the one already going from the other test).
    const running = page.locator('.run-state.running');
    await page.locator('.run-bar').waitFor(WAIT);
    if (!(await running.isVisible())) {
      await tabTo('Start run', '.run-bar button.primary');
      await page.keyboard.press('Enter');
    }
    await running.waitFor(WAIT);

    // The request log: Tab reaches a row, Enter opens its details, and its close button closes them.
    await page.locator('.tv-body [role="row"]').first().waitFor(WAIT);
    await tabTo('a request log row', '.tv-body [role="row"]');
    // The arrow keys move between the rows; Enter opens the focused one.
    const focusedRow = () => page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex'));
    const first = Number(await focusedRow());
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => Number(await focusedRow()), WAIT).toBe(first + 1);
    await page.keyboard.press('Enter');
    const details = page.locator('.tv-details');
    await details.first().waitFor(WAIT);
    await tabTo('the details’ close button', '.tv-details button[aria-label="Close details"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => details.count(), WAIT).toBe(0);
  }, 120_000);
});
