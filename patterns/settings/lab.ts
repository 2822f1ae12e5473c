/**
 * The "service" lab: a quote service configured by typed settings. Its
 * inputs are the lab's params, as its platform would hand them over: the
 * process environment and the text of its .env file. At start the service
 * resolves its settings (settings.ts, through the SettingsStore of
 * settings-store.ts) from the schema of app-settings.ts; invalid ones refuse
 * the start, and the service answers 503 with every problem listed until a
 * restart finds valid ones. Running, it serves `GET /quote` (the pricing
 * service, behind the `pricing` fault point, through a pool of POOL_SIZE
 * connections, within REQUEST_TIMEOUT_MS, at PRICING_URL, with
 * PRICING_API_KEY) and `GET /settings` (what it runs on, as JSON: the
 * endpoint every service grows for its operators). One request in ten is the
 * latter.
 *
 * The reload strategy decides what an edit does to a running service:
 * `cached` ignores it until a restart (the widely copied Python version's
 * `@lru_cache`), `reload` re-reads at once and every second, validates, and
 * keeps the old settings when the new ones are invalid. The `config` fault
 * point is a deploy tool caught rewriting the .env file: the read finds it
 * empty.
 *
 * The invariants are counted here, from what the lab sees: every log line,
 * every event it sends to the browser and every API response body is
 * searched for the secret's value (read by the lab from its own inputs, not
 * asked of the code under test, and also in its JSON-escaped form); and the
 * lab keeps the last settings that validated (those of a successful start, then
 * of each applied reload, in the order the outcomes arrive): every request, and
 * every refused reload, checks that the service reads exactly those.
 */
import {
  DisposableStore,
  type LabContext,
  type LabInstance,
  type LabLogger,
  type LabRequest,
  type LabResult,
  type LogLevel,
  type Params,
  type TelemetryInput,
} from '../kit/index.ts';
import { appSettingsSchema, profiles, type AppSettings } from './app-settings.ts';
import { serviceParams, type ServiceParams } from './params.ts';
import { ConnectionPool, QuoteService } from './quote-service.ts';
import { Secret } from './secret.ts';
import { SettingsStore } from './settings-store.ts';
import { environmentOf, secretValuesIn } from './lab-inputs.ts';
import { formatIssue, resolveSettings, SettingsError, type ResolvedSettings, type SettingIssue, type SettingsSources } from './settings.ts';

type Settings = ResolvedSettings<AppSettings>;
type State = 'starting' | 'running' | 'refused';
type Trigger = 'start' | 'edit' | 'watch' | 'restart';

/** The settings whose values must never be shown; the lab finds their values in its inputs itself. */
const SECRET_VARIABLES = ['PRICING_API_KEY'];
/** How often a service on the reload strategy re-reads its sources. */
const WATCH_EVERY_MS = 1_000;
/** The healthy pricing service answers in 60–100 ms. */
const PRICING_LATENCY_MS = { base: 60, jitter: 40 };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const problemsIn = (count: number): string => `${count} problem${count === 1 ? '' : 's'} with its settings`;

export async function start(ctx: LabContext): Promise<LabInstance> {
  const store = new DisposableStore();
  let params: ServiceParams = serviceParams.read(ctx.params);
  let stopped = false;

  // ---- The invariant on output: every value a secret has had, searched for in all the lab shows.
  const watched = new Map<string, string>();
  const watchSecrets = () => {
    for (const [value, variable] of secretValuesIn(params, SECRET_VARIABLES)) watched.set(value, variable);
  };
  watchSecrets();
  const checkOutput = (where: string, text: string) => {
    let leaked: string | undefined;
    // Inside JSON text a value with a quote or a backslash is escaped: look for both forms.
    for (const [value, variable] of watched) if (text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1))) leaked = variable;
    ctx.invariant('no-secret-in-output', leaked === undefined, () => `${where} contains the value of the secret ${leaked}`);
  };
  const emit = (event: TelemetryInput) => {
    checkOutput(`a ${event.type} event`, JSON.stringify(event));
    ctx.emit(event);
  };
  // The logger writes its fields as JSON, as pino or structlog's JSON renderer would: what a line
  // holds is what JSON.stringify makes of them, and that is what is checked and recorded.
  const logAt = (level: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    const json = JSON.stringify(fields);
    checkOutput(`a log line (${level})`, `${msg} ${json}`);
    ctx.log[level](msg, JSON.parse(json) as Record<string, unknown>);
  };
  const log: LabLogger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

  // ---- The service: its pool, its downstream, its state.
  const pricing = ctx.service('pricing', {
    async handle(request) {
      await ctx.clock.sleep(PRICING_LATENCY_MS.base + ctx.random.next() * PRICING_LATENCY_MS.jitter);
      if (request.path !== '/v2/quote') return { status: 404, headers: {}, body: { error: `no route ${request.path}` } };
      return { status: 200, headers: {}, body: { priceCents: 1_000 + Math.floor(ctx.random.next() * 9_000) } };
    },
  });
  const pool = store.add(new ConnectionPool(ctx.clock, 1));
  store.add(pool.onChange((state) => emit({ type: 'settings.pool', ...state })));
  const quotes = new QuoteService(ctx.clock, pricing, pool);
  const configFault = ctx.fault('config');

  let settingsStore: SettingsStore<typeof appSettingsSchema> | undefined;
  let state: State = 'starting';
  let refused: readonly SettingIssue[] = [];
  let generation = 0;
  let attempts = 0;
  /** Each start gets the next number; a start that ends after a newer one began is dropped. */
  let opens = 0;
  /** The settings the running service must read: those of its start, then of each applied reload. */
  let lastGood: Settings | undefined;
  /** The last refused reload, as inputs and issues: the same one again (a file left broken) is not news. */
  let lastRejection: string | undefined;

  /**
   * Checks that `current` serves the last good settings (its getter may throw: a broken store) and
   * returns what it serves, or undefined when it has nothing.
   */
  const checkInUse = (current: SettingsStore<typeof appSettingsSchema>, who: string): Settings | undefined => {
    let inUse: Settings | undefined;
    let problem: string | undefined;
    try {
      inUse = current.current;
      if (inUse !== lastGood) problem = 'found settings other than the last ones that validated';
    } catch (error) {
      problem = `found the running service without settings (${messageOf(error).split('\n')[0]})`;
    }
    ctx.invariant('invalid-change-keeps-last-good-settings', problem === undefined, () => `${who} ${problem}: a change that failed validation reached it`);
    return inUse;
  };

  const setState = (to: State, reason: string) => {
    if (to === state) return;
    emit({ type: 'settings.service', from: state, to, reason });
    state = to;
  };

  /** Reads the inputs as they are when the read begins; a fault at `config` finds the .env file empty. */
  const load = async (): Promise<SettingsSources> => {
    const inputs = params;
    try {
      await configFault.hit();
      return { env: environmentOf(inputs.environment), dotenv: inputs.dotenv };
    } catch {
      log.warn('read the .env file while it was being rewritten: it was empty');
      return { env: environmentOf(inputs.environment), dotenv: '' };
    }
  };

  const showValues = (settings: Settings, pending = new Map<string, string>()) => {
    for (const s of settings.settings) {
      const waiting = pending.get(s.variable);
      emit({
        type: 'settings.value',
        setting: s.variable,
        value: s.display,
        source: s.source,
        secret: s.secret,
        generation,
        ...(s.line !== undefined && { line: s.line }),
        ...(waiting !== undefined && { pending: waiting }),
      });
    }
  };

  const showIssues = (phase: 'start' | 'reload', issues: readonly SettingIssue[]) => {
    const attempt = attempts;
    for (const issue of issues) {
      const { source, line, expected, received } = issue;
      emit({
        type: 'settings.invalid',
        attempt,
        phase,
        // A broken line of the file is shown under the file's name.
        variable: issue.kind === 'line' ? '.env' : issue.variable,
        source,
        expected,
        message: formatIssue(issue),
        ...(line !== undefined && { line }),
        ...(received !== undefined && { received }),
      });
    }
  };

  const reloadEvent = (trigger: Trigger, outcome: 'started' | 'refused' | 'applied' | 'rejected' | 'ignored', changed: string, errors: number) =>
    emit({ type: 'settings.reload', trigger, strategy: params.reloadStrategy, outcome, changed, errors, generation });

  /** Starts the service: resolves its settings, or refuses with every problem. */
  const open = async (trigger: 'start' | 'edit' | 'restart') => {
    attempts++;
    const seq = ++opens;
    // Two starts close together (two edits of a refused service): only the newest counts, however
    // their reads end. An older one, good or refused, is dropped when it ends.
    const stale = () => stopped || seq !== opens;
    try {
      const opened = await SettingsStore.open({ schema: appSettingsSchema, profiles, load });
      if (stale()) return opened.dispose();
      settingsStore?.dispose();
      settingsStore = opened;
      lastGood = opened.current;
      lastRejection = undefined;
      generation++;
      const { values, profile } = opened.current;
      pool.resize(values.poolSize);
      setState('running', trigger === 'start' ? 'settings valid' : 'restarted with valid settings');
      showValues(opened.current);
      reloadEvent(trigger, 'started', opened.current.settings.map((s) => s.variable).join(', '), 0);
      // What every service logs at start: safe only because the key is typed as a secret.
      log.info(`settings loaded${profile ? ` (${profile} profile)` : ''}`, { settings: values });
      for (const variable of opened.current.unknown) log.warn(`.env sets ${variable}, which no setting reads: a typo?`);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      if (stale()) return;
      refused = error.issues;
      setState('refused', problemsIn(error.issues.length));
      showIssues('start', error.issues);
      reloadEvent(trigger, 'refused', '', error.issues.length);
      log.error(`the service refused to start: ${error.message}`);
    }
  };

  /** A running service re-reads its sources; only valid settings replace those in use. */
  const reload = async (trigger: 'edit' | 'watch') => {
    const current = settingsStore;
    if (!current) return;
    let outcome: Awaited<ReturnType<typeof current.reload>>;
    try {
      outcome = await current.reload();
    } catch (error) {
      if (!stopped) log.error(`the reload failed: ${messageOf(error)}`);
      return;
    }
    if (stopped || current !== settingsStore) return;
    attempts++;
    if (outcome.kind === 'applied') {
      lastGood = outcome.settings;
      lastRejection = undefined;
      generation++;
      pool.resize(outcome.settings.values.poolSize);
      showValues(outcome.settings);
      reloadEvent(trigger, 'applied', outcome.changed.join(', '), 0);
      log.info(`settings reloaded: ${outcome.changed.join(', ')} changed`, { settings: outcome.settings.values });
    } else if (outcome.kind === 'unchanged') {
      // The same values: a store may hand back an equal set; take it, if it has one.
      try {
        lastGood = current.current;
      } catch {
        // Left for the next request to find.
      }
    } else if (outcome.kind === 'rejected') {
      checkInUse(current, `after a refused reload (${trigger}), the service`);
      // Re-read every second, a file left broken is refused every second: say it once.
      const rejection = JSON.stringify([params.environment, params.dotenv, outcome.issues.map(formatIssue)]);
      if (rejection === lastRejection) return;
      lastRejection = rejection;
      showIssues('reload', outcome.issues);
      reloadEvent(trigger, 'rejected', '', outcome.issues.length);
      log.warn(`reload refused, the service keeps its settings: ${problemsIn(outcome.issues.length)}`, { errors: outcome.issues.map(formatIssue) });
    }
  };

  /** A cached service does not read the edit; the lab shows what it would have read. */
  const ignore = (current: SettingsStore<typeof appSettingsSchema>) => {
    const pending = new Map<string, string>();
    let errors = 0;
    try {
      const next = resolveSettings(appSettingsSchema, { env: environmentOf(params.environment), dotenv: params.dotenv }, { profiles });
      const inUse = new Map(current.current.settings.map((s) => [s.variable, s]));
      // A secret shows as the mask either way: compare what it holds.
      const held = (values: Readonly<AppSettings>, key: string) => {
        const value = (values as Record<string, unknown>)[key];
        return value instanceof Secret ? value.reveal() : value;
      };
      for (const s of next.settings) {
        const was = inUse.get(s.variable);
        const changed = !was || was.source !== s.source || held(current.current.values, s.key) !== held(next.values, s.key);
        if (changed) pending.set(s.variable, `${s.display} (${s.source})`);
      }
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      errors = error.issues.length;
      for (const issue of error.issues) pending.set(issue.kind === 'line' ? `.env line ${issue.line}` : issue.variable, `invalid: ${formatIssue(issue)}`);
    }
    reloadEvent('edit', 'ignored', [...pending.keys()].join(', '), errors);
    showValues(current.current, pending);
  };

  /** Starts work that ends on its own; dispose does not wait for it (the clock may never move again). */
  const track = (work: Promise<void>) => {
    void work.catch((error: unknown) => log.error(`settings: ${messageOf(error)}`));
  };

  await open('start');
  store.add(
    ctx.clock.setInterval(() => {
      if (params.reloadStrategy === 'reload') track(reload('watch'));
    }, WATCH_EVERY_MS),
  );

  // ---- The service's HTTP entry.
  const unavailable = (error: string, extra: Record<string, unknown> = {}) => ({ status: 503, headers: {}, body: { error, ...extra } });
  const api = ctx.server('api', {
    async handle(req) {
      const requestId = req.headers['x-request-id'] ?? 'a request';
      if (!settingsStore) {
        return state === 'refused'
          ? unavailable(`the service did not start: ${problemsIn(refused.length)}`, { errors: refused.map(formatIssue) })
          : unavailable('the service is starting');
      }
      const settings = checkInUse(settingsStore, requestId);
      if (!settings) return unavailable('settings unavailable');
      if (req.path === '/settings') {
        const sources = Object.fromEntries(settings.settings.map((s) => [s.variable, s.source]));
        return { status: 200, headers: {}, body: { profile: settings.profile ?? null, generation, settings: settings.values, sources } };
      }
      const answer = await quotes.quote(settings.values, requestId);
      if (settings.values.logLevel === 'debug') log.debug(`quote for ${requestId}: ${answer.ok ? 'priced' : answer.error}`, { requestId, ...pool.state });
      return answer.ok
        ? { status: 200, headers: {}, body: { priceCents: answer.priceCents } }
        : { status: answer.status, headers: {}, body: { error: answer.error } };
    },
  });

  let served = 0;
  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const path = ++served % 10 === 0 ? '/settings' : '/quote';
      const route = `GET ${path}`;
      const response = await api.request({ method: 'GET', path, headers: { 'x-request-id': request.id }, ...(request.signal && { signal: request.signal }) });
      checkOutput(`the response to ${route}`, JSON.stringify(response.body));
      if (response.status === 200) return { outcome: 'ok', status: 200, route };
      const error = (response.body as { error?: string } | undefined)?.error ?? `status ${response.status}`;
      return { outcome: response.status === 504 ? 'timeout' : 'error', status: response.status, error, route };
    },
    updateParams(next: Params) {
      const previous = params;
      params = serviceParams.read(next, params);
      watchSecrets();
      const current = settingsStore;
      if (params.reloadStrategy !== previous.reloadStrategy) {
        // A new strategy is a new service: it restarts, and reads its inputs as they are now.
        settingsStore = undefined;
        current?.dispose();
        setState('starting', `restart (${params.reloadStrategy})`);
        track(open('restart'));
      } else if (params.environment !== previous.environment || params.dotenv !== previous.dotenv) {
        // A refused service is restarted by its supervisor, which reads the inputs afresh.
        if (!current) track(open('edit'));
        else if (params.reloadStrategy === 'reload') track(reload('edit'));
        else ignore(current);
      }
    },
    dispose() {
      // Reads in flight finish on their own and find `stopped`.
      stopped = true;
      settingsStore?.dispose();
      store.dispose();
    },
  };
}
