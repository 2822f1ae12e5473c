/**
 * Puts the workbench together: store, pattern registry, runs, code service,
 * HTTP API, live hub and the page. Listens on loopback only.
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { CodeService } from './code/code-service.ts';
import { createGuard, presentedTokens, TOKEN_COOKIE } from './http/auth.ts';
import { apiRouter, finalErrorHandler } from './http/express-adapter.ts';
import { createRoutes } from './http/routes.ts';
import { LiveHub } from './live/hub.ts';
import { PatternRegistry } from './patterns/registry.ts';
import { RunManager } from './runs/run-manager.ts';
import { RUN_ENTRY } from './runs/run-host.ts';
import { TRIAL_ENTRY } from './runs/trial.ts';
import { Store } from './store/store.ts';
import { landingPage } from './http/landing.ts';
import { SIGN_IN_PAGE_HEADERS, signInPage, type SignInProblem } from './http/sign-in-page.ts';
import { liveUpgradeHandler } from './live/upgrade.ts';
import { createExerciseRoutes } from './http/exercise-routes.ts';
import { loadExercises } from './exercises/catalog.ts';
import { CHECK_ENTRY, ExerciseRunner } from './exercises/runner.ts';
import { keepWarm, prepareSandboxes } from './sandbox/pool.ts';
import { checkRedis, sweepStaleQueues } from './queues/broker-host.ts';
import { existsSync } from 'node:fs';

const noCacheForHtml = (res: express.Response, path: string) => {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
};

export const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface WorkbenchOptions {
  /** 0 picks any free port; otherwise the first free port from this one up. */
  port: number;
  dbPath: string;
  /** Megabytes of recorded events kept for stopped runs (default: the store's, 200). */
  historyMb?: number;
  token: string;
  log: Logger;
  rootDir?: string;
  sandbox?: { watchdogMs?: number; maxOldGenerationSizeMb?: number };
  maxRuns?: number;
  /** Sandbox processes kept started ahead of need (see server/sandbox/pool.ts). Default 2. */
  warmSandboxes?: number;
  /** The built web app to serve; without it the root is a plain page listing the patterns. */
  webDir?: string;
  /** A Redis (`redis://host:port`) for the labs' broker engines; it must answer as the workbench starts. */
  redis?: string;
}

export interface Workbench {
  port: number;
  /** The URL to open: it carries the token once; the cookie does the rest. */
  url: string;
  store: Store;
  runs: RunManager;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** How many ports above the asked one are tried when it is taken. */
const PORT_TRIES = 20;

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });

export const startWorkbench = async (options: WorkbenchOptions): Promise<Workbench> => {
  const { log } = options;
  // Before anything else: a Redis that does not answer is the whole start's error.
  if (options.redis) await checkRedis(options.redis);
  // The owner of the file: refuses to open when another workbench has it, before anything
  // touches it (closing its live runs as abandoned, above all).
  const store = new Store(options.dbPath, {
    owner: true,
    log,
    ...(options.historyMb !== undefined && { historyBytes: options.historyMb * 1024 * 1024 }),
  });
  try {
    return await assemble(options, store);
  } catch (error) {
    // A start that fails after the store is open lets go of the file (and its ownership).
    store.close();
    throw error;
  }
};

/** Everything after the store: runs, code, exercises, the HTTP server and the live hub. */
const assemble = async (options: WorkbenchOptions, store: Store): Promise<Workbench> => {
  const rootDir = options.rootDir ?? ROOT_DIR;
  const { log } = options;
  const abandoned = store.closeAbandonedRuns();
  if (abandoned > 0) log.info({ abandoned }, 'closed runs left open by an earlier workbench');
  if (options.redis) {
    // No run of this store runs yet: the queues of its runs still in Redis are leftovers.
    try {
      const removed = await sweepStaleQueues(options.redis, (runId) => store.getRun(runId) !== undefined);
      if (removed > 0) log.info({ removed }, 'removed the Redis keys of queues that stopped runs left behind');
    } catch (error) {
      log.warn({ err: error }, 'could not look for queues that stopped runs left in Redis');
    }
  }
  try {
    const pruned = store.pruneHistory();
    if (pruned > 0) log.info({ pruned }, 'dropped the events of the oldest stopped runs to keep the history within its bound');
  } catch (error) {
    // Not worth refusing to start for: the next run that stops prunes again.
    log.warn({ err: error }, 'could not prune the history of stopped runs now');
  }
  const registry = await PatternRegistry.load(join(rootDir, 'patterns'), { redis: options.redis !== undefined });
  // The sandbox's code is built and processes started now, so the first run does not wait for them.
  const warm = keepWarm(options.warmSandboxes ?? 2);
  prepareSandboxes([RUN_ENTRY, TRIAL_ENTRY, CHECK_ENTRY]).catch((error: unknown) =>
    log.warn({ err: error }, 'could not prepare the sandbox ahead: the first run will try again'),
  );
  const runs = new RunManager({
    registry,
    store,
    rootDir,
    log,
    ...(options.maxRuns !== undefined && { maxRuns: options.maxRuns }),
    ...(options.sandbox && { sandbox: options.sandbox }),
    ...(options.redis !== undefined && { redis: options.redis }),
  });
  const code = new CodeService(registry, store, runs);
  const { exercises, problems } = loadExercises(join(rootDir, 'exercises'));
  for (const problem of problems) log.warn(`exercise left out: ${problem}`);
  const runner = new ExerciseRunner({
    rootDir,
    registry,
    ...(options.sandbox?.watchdogMs !== undefined && { watchdogMs: options.sandbox.watchdogMs }),
  });

  let port = 0;
  const guard = createGuard({ token: options.token, port: () => port });
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const verdict = guard.checkOrigin(req);
    if (!verdict.ok) {
      res.status(verdict.status).json({ error: { status: verdict.status, message: verdict.message } });
      return;
    }
    next();
  });
  const routes = [
    ...createRoutes({ registry, store, runs, code }),
    ...createExerciseRoutes({ exercises, runner, store, registry }),
  ];
  app.use('/api', apiRouter(routes, guard, log));
  const webIndex = options.webDir && existsSync(join(options.webDir, 'index.html')) ? join(options.webDir, 'index.html') : undefined;
  /** The styled sign-in problem page (server/http/sign-in-page.ts): 401, and nothing of the request echoed. */
  const refuseSignIn = (res: express.Response, problem: SignInProblem) => {
    res.status(401).set(SIGN_IN_PAGE_HEADERS).type('html').send(signInPage(problem, port));
  };
  /**
   * A page is served only to a browser that holds the token (the cookie set by the printed URL):
   * the page holds no secrets, but without the token every call it makes is refused, so the
   * learner gets the sign-in page instead, which says so and what to do.
   */
  const pageProblem = (req: express.Request): SignInProblem | undefined => {
    const tokens = presentedTokens(req);
    if (tokens.some((token) => guard.isToken(token))) return undefined;
    return tokens.length === 0 ? 'no-token' : 'stale-cookie';
  };
  const sendPage = (req: express.Request, res: express.Response) => {
    const problem = pageProblem(req);
    if (problem) return refuseSignIn(res, problem);
    if (webIndex) res.sendFile(webIndex);
    else res.type('html').send(landingPage(registry));
  };
  app.get('/', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token !== undefined) {
      if (!guard.isToken(token)) {
        refuseSignIn(res, 'wrong-token');
        return;
      }
      // The token leaves the address bar; from now on the cookie carries it.
      res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/' });
      res.redirect(302, '/');
      return;
    }
    sendPage(req, res);
  });
  if (options.webDir && webIndex) {
    // The app's page by its file name is a page like any other (static would serve it as is).
    app.get('/index.html', sendPage);
    app.use(express.static(options.webDir, { index: false, maxAge: '1h', setHeaders: noCacheForHtml }));
    // The app routes in the browser: any other page path gets the app.
    app.get('/{*splat}', sendPage);
  }
  // Last: whatever a page request throws (a malformed %-escape in a static path, say)
  // becomes an answer; the API router answers its own errors the same way.
  app.use(finalErrorHandler(log));

  const server = createServer(app);
  // A run's events reach a slow browser as its pattern (its telemetry.ts) and the kit declare.
  // (An unknown run has no pattern, and no stream either: `attach` refuses it.)
  const hub = new LiveHub(runs, (runId) => {
    const patternId = runs.get(runId)?.patternId ?? '';
    return (type) => registry.delivery(patternId, type);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', liveUpgradeHandler({ guard, hub, wss, isLiveRun: (id) => runs.get(id)?.isLive ?? false, log }));

  if (options.port === 0) {
    port = await listen(server, 0);
  } else {
    let lastError: unknown;
    for (let candidate = options.port; candidate < options.port + PORT_TRIES; candidate++) {
      try {
        port = await listen(server, candidate);
        break;
      } catch (error) {
        lastError = error;
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    if (port === 0) throw lastError;
  }
  // So a second workbench on the same file can say where this one is.
  store.setOwnerUrl(`http://${HOST}:${port}`);

  return {
    port,
    url: `http://${HOST}:${port}/?token=${encodeURIComponent(options.token)}`,
    store,
    runs,
    close: async () => {
      hub.close();
      await runs.stopAll();
      warm.dispose();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
};
