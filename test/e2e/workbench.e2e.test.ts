/**
 * The web workbench end to end, in Debian's Chromium: the catalog and a
 * pattern's lesson; the circuit-breaker lab opening on a failing payments
 * service and closing once it recovers; a lower failure threshold typed into
 * Monaco, saved with Ctrl+S and deployed into the live run; a syntax error
 * marked in the editor; the retries view's attempts and the event bus's
 * handler outcomes; the repository's query log and the dependency-injection
 * graph drawing live data, each after a parameter changed live; the service
 * layer's trace and its 409s once sign-ups collide; the CQRS projection's lag;
 * the background-jobs board and a killed worker's job taken back; the API
 * versioning lab's handlers and traffic per version; the settings lab's sources,
 * its masked key and an invalid edit refused with every error; the structured
 * logs of one request across two services, and PII once redaction is off.
 * Screenshots go to test-artifacts/workbench-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { ROOT_DIR } from '../../server/app.ts';
import { chromiumPath, screenshotPath, unfold } from './browser.ts';
import { useWorkbenchInBrowser } from './workbench-fixture.ts';

const TOKEN = 'e2e-workbench-token-0123456789';
const CB_FILE = 'circuit-breaker.ts';
const CB_REFERENCE = readFileSync(join(ROOT_DIR, 'patterns', 'circuit-breaker', CB_FILE), 'utf8');
/** Generous: a loaded 2-core machine runs the server, the runs' workers and Chromium at once. */
const WAIT = { timeout: 30_000 };

describe.skipIf(!chromiumPath)('the web workbench in the browser', () => {
  const wb = useWorkbenchInBrowser({ name: 'workbench', token: TOKEN, stopRunsAfterEach: true });
  const { newPage } = wb;

  // Every edited file back to its reference, so each test starts from it.
  afterEach(async () => {
    const catalog = (await wb.api<Array<{ id: string }>>('GET', '/api/patterns').catch(() => [])) ?? [];
    for (const { id: patternId } of catalog) {
      const detail = await wb.api<{ files: Array<{ name: string; modified: boolean }> }>('GET', `/api/patterns/${patternId}`).catch(() => undefined);
      for (const file of detail?.files ?? []) {
        if (file.modified) await wb.api('POST', `/api/patterns/${patternId}/files/${file.name}/reset`).catch(() => undefined);
      }
    }
  }, 60_000);

  /** Pastes into the focused element (Monaco's input) through the browser's own paste event: one edit, no auto-closing. */
  const paste = (page: Page, text: string) =>
    page.evaluate((value) => {
      const data = new DataTransfer();
      data.setData('text/plain', value);
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);

  /** A GET through the page, so it carries the cookie and the page's Origin. */
  const getJson = <T>(page: Page, path: string): Promise<T> => page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;

  const runEvents = async (page: Page, runId: string): Promise<TelemetryEvent[]> =>
    (await getJson<{ events: TelemetryEvent[] }>(page, `/api/runs/${runId}/events?limit=10000`)).events;

  /** Opens a pattern's Lab tab and starts a run of its first lab; returns the run's id. */
  const startLab = async (page: Page, patternId: string): Promise<string> => {
    await page.goto(`${wb.base}/patterns/${patternId}/lab`);
    await page.getByRole('button', { name: /Start (a new )?run/ }).click(WAIT);
    await page.locator('.run-state.running').waitFor(WAIT);
    const runId = (await page.locator('.run-meta code').textContent())!.trim();
    expect(runId).toMatch(/\S/);
    return runId;
  };

  /** The whole page, from its top: scrolled, a full-page capture draws the sticky header across the middle. */
  const shoot = async (page: Page, name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  };

  const presets = (page: Page, point: string) => page.getByRole('group', { name: `Presets for ${point}` });
  const circuitState = (page: Page, state: string) => page.getByRole('img', { name: `Circuit state: ${state}` });

  it('shows the catalog and a pattern’s lesson', async () => {
    const page = await newPage();
    await page.goto(wb.base);
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    for (const title of ['Circuit breaker', 'Retry with exponential backoff', 'Event-driven (event bus)']) {
      await page.locator('.card', { hasText: title }).waitFor(WAIT);
    }
    await shoot(page, 'workbench-catalog');

    await page.locator('.card', { hasText: 'Circuit breaker' }).click();
    await page.waitForURL(`${wb.base}/patterns/circuit-breaker`);
    await page.getByRole('heading', { level: 1, name: 'Circuit breaker' }).waitFor(WAIT);
    await expect(page.getByRole('tab', { name: 'Learn' }).getAttribute('aria-selected')).resolves.toBe('true');
    // The lesson is typeset (sections as h2), its diagrams drawn.
    await page.locator('h2[id]').first().waitFor(WAIT);
    await expect.poll(() => page.locator('.mermaid-diagram.loading').count(), WAIT).toBe(0);
    expect(await page.locator('.mermaid-diagram.failed').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('workbench-learn') });
  }, 60_000);

  it('says where to look once a run starts: the main view first, a first action that does what it says, the forms folded', async () => {
    const page = await newPage();
    await page.goto(`${wb.base}/patterns/circuit-breaker/lab`);
    // Before a run, no guide: the page says to start one.
    await page.locator('.start-hint').waitFor(WAIT);
    expect(await page.getByRole('region', { name: 'Where to look' }).count()).toBe(0);
    await startLab(page, 'circuit-breaker');
    const guide = page.getByRole('region', { name: 'Where to look' });
    await guide.getByText('Watch the Circuit view').waitFor(WAIT);

    // The view it names is drawn first, marked as the main one; the invariants come right under it.
    const frames = page.locator('.lab-views > .view-frame');
    await expect(frames.nth(0).getAttribute('aria-label')).resolves.toBe('Circuit');
    await expect(frames.nth(0).getAttribute('class')).resolves.toContain('main-view');
    await expect(frames.nth(1).getAttribute('aria-label')).resolves.toBe('Invariants');

    // The forms are folded: presets, Stop load and the parameters' summary show; the fields do not.
    const faults = page.locator('.fault-panel', { hasText: 'Payments service' });
    await expect(faults.getByLabel('Error rate').isVisible()).resolves.toBe(false);
    await expect(page.locator('.load-panel').getByLabel('Rate', { exact: true }).isVisible()).resolves.toBe(false);
    await expect(page.locator('.load-panel').getByRole('button', { name: 'Stop load' }).isVisible()).resolves.toBe(true);
    await page.locator('.params-panel summary', { hasText: "3 knobs, all at the lab's defaults" }).waitFor(WAIT);
    await shoot(page, 'workbench-lab-guide');

    // Its first action fails every call to payments: the circuit opens, and the guide says when it was applied.
    await guide.getByRole('button', { name: 'Fail every call to payments' }).click();
    await guide.getByRole('status').getByText(/applied at \d+\.\d s/).waitFor(WAIT);
    await faults.locator('.fault-now.faulty', { hasText: '100%' }).waitFor(WAIT);
    await circuitState(page, 'open').waitFor(WAIT);

    // A form unfolded stays unfolded for the learner, on the next lab too.
    await unfold(page.locator('.params-panel'));
    await page.getByRole('button', { name: 'Stop run' }).click();
    await startLab(page, 'cqrs');
    await expect(page.locator('.params-panel').getAttribute('open')).resolves.not.toBeNull();
    // A guide that changes parameters: the panel's summary names what changed.
    await page.getByRole('region', { name: 'Where to look' }).getByRole('button', { name: 'Slow the projection down by 1 s' }).click();
    await page.locator('.params-panel summary', { hasText: 'changed: Projection slowness' }).waitFor(WAIT);
  }, 90_000);

  it("joins a running run from a second tab even when the workbench refuses the first reads of its state", async () => {
    const first = await newPage();
    const runId = await startLab(first, 'circuit-breaker');
    const second = await newPage();
    // The first four reads of the run's state fail, as on a busy or restarting workbench: more than the
    // page's reads on the stream's control events (at once, then 50 and 700 ms after) would ever retry.
    let refused = 0;
    await second.route(`**/api/runs/${runId}`, (route) =>
      route.request().method() === 'GET' && refused++ < 4
        ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'busy', message: 'busy, try again' } }) })
        : route.fallback(),
    );
    await second.goto(`${wb.base}/patterns/circuit-breaker/lab`);
    await second.locator('.run-state.running').waitFor(WAIT);
    expect(refused).toBeGreaterThanOrEqual(4);
    await expect(second.getByRole('button', { name: 'Stop run' }).isVisible()).resolves.toBe(true);
  }, 60_000);

  it('opens the circuit when payments fails and closes it once payments recovers', async () => {
    const page = await newPage();
    await startLab(page, 'circuit-breaker');
    await circuitState(page, 'closed').waitFor(WAIT);

    // A short reset timeout (its minimum) through the params panel, so the circuit probes soon.
    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('Reset timeout').fill('1000');
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied resetTimeoutMs').waitFor(WAIT);

    // Payments fails every call: the circuit trips and fails fast.
    await presets(page, 'payments').getByRole('button', { name: 'Fail 100%' }).click();
    await page.locator('.fault-panel .fault-now.faulty').waitFor(WAIT);
    await circuitState(page, 'open').waitFor(WAIT);
    // The request log has rows, and the open circuit's rejections among them.
    const log = page.getByRole('table', { name: 'Request log' });
    await log.locator('.tv-row.outcome-rejected').first().waitFor(WAIT);
    await expect(log.locator('.tv-row.outcome-rejected .outcome-pill').first().textContent()).resolves.toBe('rejected');
    await page.locator('.timeline .marker.fault').first().waitFor(WAIT);
    await shoot(page, 'workbench-lab-circuit-open');

    // Payments recovers: after the reset timeout a probe goes through and the circuit closes.
    await presets(page, 'payments').getByRole('button', { name: 'Clear' }).click();
    await page.locator('.fault-panel .fault-now.healthy').waitFor(WAIT);
    await circuitState(page, 'closed').waitFor(WAIT);
    await page.getByRole('list', { name: 'Recent transitions' }).locator('li.latest', { hasText: 'probes-succeeded' }).waitFor(WAIT);
    await log.locator('.tv-row.outcome-ok').first().waitFor(WAIT);
    await shoot(page, 'workbench-lab-closed');

    await page.getByRole('button', { name: /Stop run/ }).click();
    await page.locator('.run-state.stopped').waitFor(WAIT);
  }, 120_000);

  it('deploys a lower failure threshold saved from the editor into the live run, and marks a syntax error', async () => {
    const page = await newPage();
    // "Reset to reference" asks first.
    page.on('dialog', (dialog) => void dialog.accept());
    const runId = await startLab(page, 'circuit-breaker');

    // The Code tab, from the same page: the run goes on.
    await page.getByRole('tab', { name: 'Code' }).click();
    const editor = page.locator('.code-tab .monaco-editor').first();
    await editor.locator('.view-lines').getByText('consecutiveFailures').first().waitFor(WAIT);
    await page.locator('.code-status', { hasText: `${CB_FILE}: v0 (the reference)` }).waitFor(WAIT);

    // Open after 2 failures in a row instead of 5, saved with Ctrl+S.
    const edited = CB_REFERENCE.replace('consecutiveFailures: 5,', 'consecutiveFailures: 2,');
    expect(edited).not.toBe(CB_REFERENCE);
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await paste(page, edited);
    // The paste leaves the cursor at the end: back to the top, where DEFAULTS is.
    await page.keyboard.press('ControlOrMeta+Home');
    await editor.locator('.view-lines').getByText('consecutiveFailures: 2').first().waitFor(WAIT);
    await page.keyboard.press('Control+S');
    await page.locator('.code-status.ok', { hasText: /^Saved v1, deployed to 1 run/ }).waitFor(WAIT);
    await expect(getJson<{ content: string; version: number }>(page, `/api/patterns/circuit-breaker/files/${CB_FILE}`)).resolves.toMatchObject({
      content: edited,
      version: 1,
    });

    // Back in the lab, the deploy sits on the timeline.
    await page.getByRole('tab', { name: 'Lab' }).click();
    await page.locator('.timeline .marker.deploy', { hasText: 'v1' }).waitFor(WAIT);
    await expect(page.locator('.timeline .marker.deploy').first().getAttribute('title')).resolves.toMatch(`deployed ${CB_FILE} v1`);

    // The new behaviour: failing payments now opens the circuit after 2 failures.
    await presets(page, 'payments').getByRole('button', { name: 'Fail 100%' }).click();
    await circuitState(page, 'open').waitFor(WAIT);
    // In the run's recorded events: the first time it opened after the deploy, the payments calls
    // just before had failed 2 in a row (not 5). A call still in flight when the fault came may
    // succeed in between, so it is the streak that counts, not every failure since the deploy.
    await expect
      .poll(async () => {
        const events = await runEvents(page, runId);
        const deployed = events.findIndex((e) => e.type === 'run.deployed' && e.file === CB_FILE && e.version === 1);
        const opened = events.findIndex((e, i) => i > deployed && e.type === 'circuit.state' && e.to === 'open');
        if (deployed < 0 || opened < 0) return undefined;
        let streak = 0;
        for (const event of events.slice(deployed + 1, opened).reverse()) {
          if (event.type !== 'request' || event.direction !== 'outbound' || event.target !== 'payments') continue;
          if (event.outcome === 'ok') break;
          streak++;
        }
        const reason = (events[opened] as { reason?: string }).reason;
        return { reason, failedInARow: streak };
      }, WAIT)
      .toEqual({ reason: 'failure-threshold', failedInARow: 2 });
    await presets(page, 'payments').getByRole('button', { name: 'Clear' }).click();
    await page.locator('.fault-panel .fault-now.healthy').waitFor(WAIT);

    // Back to the reference: saved as v2 and deployed.
    await page.getByRole('tab', { name: 'Code' }).click();
    await page.getByRole('button', { name: 'Reset to reference' }).click(WAIT);
    await page.locator('.code-status.ok', { hasText: /^Reset to the reference as v2/ }).waitFor(WAIT);
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await editor.locator('.view-lines').getByText('consecutiveFailures: 5').first().waitFor(WAIT);
    await expect(getJson<{ content: string }>(page, `/api/patterns/circuit-breaker/files/${CB_FILE}`)).resolves.toMatchObject({ content: CB_REFERENCE });

    // A syntax error typed at the end of the file: the editor underlines it as you type.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('export const broken = ;');
    await editor.locator('.squiggly-error').first().waitFor(WAIT);
    // F8 opens the problem with its message; it is the file's only one: after the trip to the
    // Lab tab and back, the imports (the kit, the pattern's other files) still resolve.
    await page.keyboard.press('F8');
    const problem = editor.locator('.zone-widget', { hasText: 'Expression expected' });
    await problem.waitFor(WAIT);
    await expect(problem.textContent()).resolves.toContain('1 of 1 problem');
    await page.screenshot({ path: screenshotPath('workbench-code-marker') });

    // Fixed by putting the reference back: the marker goes, nothing is left unsaved.
    await page.keyboard.press('Escape');
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await paste(page, CB_REFERENCE);
    await expect.poll(() => editor.locator('.squiggly-error').count(), WAIT).toBe(0);
    await expect(page.getByRole('button', { name: /Save & deploy/ }).isDisabled()).resolves.toBe(true);
  }, 150_000);

  it('shows each request’s attempts in the retries view when inventory answers 503s', async () => {
    const page = await newPage();
    const runId = await startLab(page, 'retry-backoff');
    await expect(page.locator('.lab-choice select').inputValue()).resolves.toBe('flaky');

    // Half the inventory calls answer 503 (the form's default error) on top of its own flakiness.
    const panel = page.locator('.fault-panel').first();
    await unfold(panel.locator('.fault-form-fold'));
    await panel.getByLabel('inject faults here').check();
    const rate = panel.getByLabel('Error rate');
    await rate.focus();
    // From 0%, five steps of a tenth (PageUp on a range input), as the keyboard moves it.
    await page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageUp');
    await expect(panel.locator('.field output').first().textContent()).resolves.toBe('50%');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await panel.locator('.fault-now.faulty', { hasText: '50% HTTP 503' }).waitFor(WAIT);
    await expect
      .poll(async () => (await runEvents(page, runId)).some((e) => e.type === 'fault.injected' && e.point === 'inventory' && e.status === 503), WAIT)
      .toBe(true);

    const gantt = page.getByRole('table', { name: 'Attempts and waits per request' });
    // A request that needed more than one attempt, with its waits between them.
    await gantt.locator('.gantt-row', { has: page.locator('.gantt-outcome', { hasText: /×[2-9]/ }) }).first().waitFor(WAIT);
    await gantt.locator('.gantt-wait').first().waitFor(WAIT);
    await gantt.locator('.gantt-attempt.error[title*="503"]').first().waitFor(WAIT);
    // And they keep coming: a handful of retries counted in the view's headline.
    const retries = page.locator('.attempts-view .headline b').nth(1);
    await expect.poll(async () => Number((await retries.textContent())?.replace(/\D/g, '')), WAIT).toBeGreaterThanOrEqual(5);
    await shoot(page, 'workbench-retries');
  }, 120_000);

  it('shows the event bus’s handlers and their outcomes, a failing one retried and dead-lettered', async () => {
    const page = await newPage();
    await startLab(page, 'event-bus');
    const flow = page.getByRole('img', { name: 'Event bus: Publishers → Events → Handlers' });
    for (const handler of ['send-welcome-email', 'create-profile', 'track-analytics']) {
      await flow.locator('.flow-node.box.ok', { hasText: handler }).waitFor(WAIT);
    }

    // The email service fails every call: its handler fails, retries, dead-letters; the others carry on.
    await presets(page, 'email').getByRole('button', { name: 'Fail 100%' }).click();
    await flow.locator('.flow-node.box.failed', { hasText: 'send-welcome-email' }).waitFor(WAIT);
    await page.getByRole('table', { name: 'Dead letters' }).locator('.tv-row', { hasText: 'send-welcome-email' }).first().waitFor(WAIT);
    await flow.locator('.flow-node.box.ok', { hasText: 'create-profile' }).waitFor(WAIT);
    await shoot(page, 'workbench-events');
  }, 120_000);

  it('shows the repository’s statements live, and the N+1 listing once the workload asks for it', async () => {
    const page = await newPage();
    await startLab(page, 'repository');
    // The main view: every statement the repositories send, with its time.
    const queries = page.getByRole('table', { name: 'Query log' });
    await queries.locator('.tv-row:not(.tv-head)', { hasText: /SELECT .* FROM users/ }).first().waitFor(WAIT);

    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('Workload').selectOption('orders-n-plus-one');
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied workload').waitFor(WAIT);
    // A page of 20 users, then each user's orders one by one: 21 statements for one request.
    const listings = page.getByRole('table', { name: 'Pages and listings' });
    await listings.locator('.tv-row:not(.tv-head)').first().waitFor(WAIT);
    await queries.locator('.tv-row:not(.tv-head)', { hasText: /FROM orders/ }).first().waitFor(WAIT);
    await shoot(page, 'workbench-repository');
  }, 120_000);

  it('draws the dependency graph of live sign-ups, and swaps the email sender without touching its consumers', async () => {
    const page = await newPage();
    await startLab(page, 'dependency-injection');
    const graph = page.getByRole('img', { name: /^Dependency graph:/ });
    for (const node of ['SignupHandler · scoped', 'UserService · scoped', 'ConnectionPool · singleton']) {
      await graph.locator('.flow-node', { hasText: node }).first().waitFor(WAIT);
    }
    await graph.locator('.flow-node', { hasText: 'SignupHandler · scoped' }).filter({ hasText: /[1-9][\d,]* resolves/ }).first().waitFor(WAIT);

    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('Email sender').selectOption('fake');
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied emailSender').waitFor(WAIT);
    await page.locator('section[aria-label="Created or reused"]', { hasText: 'FakeEmailSender' }).waitFor(WAIT);
    await shoot(page, 'workbench-dependency-injection');
  }, 120_000);

  it('traces each sign-up route → service → repository → SQL, and answers 409 once sign-ups collide', async () => {
    const page = await newPage();
    await startLab(page, 'service-layer');
    const flow = page.getByRole('img', { name: /^Route → service → repository → SQL:/ });
    for (const node of ['POST /users', 'signUp', 'findByEmail']) {
      await flow.locator('.flow-node.box.ok', { hasText: node }).first().waitFor(WAIT);
    }
    await flow.locator('.flow-node', { hasText: /INSERT INTO users/ }).first().waitFor(WAIT);

    // Two addresses a second for every sign-up: the unique constraint turns the collisions into 409s.
    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('Distinct emails per second').fill('2');
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied distinctEmails').waitFor(WAIT);
    await page.getByRole('table', { name: 'Request log' }).locator('.tv-row', { hasText: '409' }).first().waitFor(WAIT);
    // The reference's unique constraint: no two 201s for one address, however close they come.
    expect(await page.locator('.invariant.broken').count()).toBe(0);
    await shoot(page, 'workbench-service-layer');
  }, 120_000);

  it('draws the CQRS projection’s lag over time while queries read its read model', async () => {
    const page = await newPage();
    await startLab(page, 'cqrs');
    const lag = page.locator('section[aria-label="Projection lag"]');
    await lag.locator('.headline', { hasText: 'events behind' }).waitFor(WAIT);
    // A line per level once whole seconds are charted.
    await expect.poll(() => lag.locator('.recharts-line-curve').count(), WAIT).toBeGreaterThanOrEqual(2);
    await page.getByRole('table', { name: 'Commands, queries and rebuilds' }).locator('.tv-row', { hasText: 'GetUserSummary' }).first().waitFor(WAIT);
    await shoot(page, 'workbench-cqrs');
  }, 120_000);

  it('shows which handler served each version, traffic per version, and clients moving to the header scheme live', async () => {
    const page = await newPage();
    await startLab(page, 'api-versioning');
    const flow = page.locator('section[aria-label="Which handler served each request"]');
    for (const node of ['v1', 'v2', 'v3']) await flow.locator('.flow-node', { hasText: node }).first().waitFor(WAIT);
    const traffic = page.locator('section[aria-label="Traffic per version: when can v1 be retired?"]');
    await expect.poll(() => traffic.locator('.recharts-area-area, .recharts-line-curve').count(), WAIT).toBeGreaterThanOrEqual(3);

    // Every client names its version by header now: the request log shows them, and every contract still holds.
    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('How clients name their version').selectOption('header');
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied scheme').waitFor(WAIT);
    await page.getByRole('table', { name: 'Request log' }).locator('.tv-row', { hasText: 'X-API-Version' }).first().waitFor(WAIT);
    expect(await page.locator('.invariant.broken').count()).toBe(0);
    await shoot(page, 'workbench-api-versioning');
  }, 120_000);

  it('shows each setting with its source, the key masked, and refuses an invalid .env edit with every error while the service keeps its settings', async () => {
    const page = await newPage();
    await startLab(page, 'settings');
    const inUse = page.getByRole('table', { name: 'Settings in use' });
    await inUse.locator('.tv-row', { hasText: 'POOL_SIZE' }).first().waitFor(WAIT);
    await inUse.locator('.tv-row', { hasText: 'PRICING_API_KEY' }).filter({ hasText: '*****' }).first().waitFor(WAIT);

    // Two invalid values in one edit: the reload reports both at once, and changes nothing.
    const params = await unfold(page.locator('.params-panel'));
    const dotenv = params.getByLabel('.env file');
    const text = await dotenv.inputValue();
    await dotenv.fill(text.replace(/POOL_SIZE=\d+/, 'POOL_SIZE=lots').replace(/REQUEST_TIMEOUT_MS=\d+/, 'REQUEST_TIMEOUT_MS=-5'));
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied dotenv').waitFor(WAIT);
    const invalid = page.getByRole('table', { name: 'Validation errors' });
    await invalid.locator('.tv-row', { hasText: 'POOL_SIZE' }).first().waitFor(WAIT);
    await invalid.locator('.tv-row', { hasText: 'REQUEST_TIMEOUT_MS' }).first().waitFor(WAIT);
    await page.getByRole('table', { name: 'Request log' }).locator('.tv-row', { hasText: '200' }).first().waitFor(WAIT);
    expect(await page.locator('.invariant.broken').count()).toBe(0);
    await shoot(page, 'workbench-settings');
  }, 120_000);

  it('follows one request across both services in the log explorer, and breaks no-pii-in-logs once redaction is off', async () => {
    const page = await newPage();
    await startLab(page, 'structured-logging');
    const explorer = page.getByRole('table', { name: 'Log explorer' });
    const first = explorer.locator('.tv-row', { hasText: 'payments' }).first();
    await first.waitFor(WAIT);
    // One request's lines, in both services, by its id.
    const requestId = (await first.textContent())!.match(/load-\d+/)![0];
    await page.getByRole('searchbox', { name: 'Search Log explorer' }).fill(`requestId=${requestId}`);
    await explorer.locator('.tv-row', { hasText: 'checkout' }).first().waitFor(WAIT);
    await explorer.locator('.tv-row', { hasText: 'payments' }).first().waitFor(WAIT);
    expect(await page.locator('.invariant.broken').count()).toBe(0);

    // The widely copied Python version's email and IP address, unredacted: the invariant breaks.
    const params = await unfold(page.locator('.params-panel'));
    await params.getByLabel('Redact personal data').uncheck();
    await params.getByRole('button', { name: 'Apply' }).click();
    await params.getByText('applied redaction').waitFor(WAIT);
    await page.locator('.invariant.broken').first().waitFor(WAIT);
    await shoot(page, 'workbench-structured-logging');
  }, 120_000);

  it('shows background jobs on a board by state, and a killed worker’s job taken back for another attempt', async () => {
    const page = await newPage();
    await startLab(page, 'background-jobs');
    const board = page.locator('section[aria-label="Jobs"]');
    await board.locator('section[aria-label^="Completed: "] .board-cards li').first().waitFor(WAIT);

    // Every worker dies mid-job for a moment: its jobs stay active until their leases expire, then run again.
    await presets(page, 'worker-crash').getByRole('button', { name: 'Fail 100%' }).click();
    await page.getByRole('table', { name: 'Workers' }).locator('.tv-row', { hasText: 'killed' }).first().waitFor(WAIT);
    await presets(page, 'worker-crash').getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('table', { name: 'Job moves' }).locator('.tv-row', { hasText: 'retrying' }).first().waitFor(WAIT);
    expect(await page.locator('.invariant.broken').count()).toBe(0);
    await shoot(page, 'workbench-background-jobs');
  }, 120_000);
});
