/** `npm start`: starts the workbench, prints its URL and opens the browser. */
import { setListenerErrorHandler } from '../patterns/kit/index.ts';
import { ROOT_DIR, startWorkbench } from './app.ts';
import { ensureWebBuild } from './http/web-build.ts';
import { canOpenBrowser, CliError, HELP, parseCli } from './cli.ts';
import { createLogger } from './log.ts';
import { shownRedisUrl } from './queues/broker-host.ts';

const main = async (): Promise<void> => {
  let options;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger();
  // A broken listener is a bug to log, never a reason to take the workbench down (the kit's
  // default rethrows it, which ends the process).
  setListenerErrorHandler((error) => log.error({ err: error }, 'an event listener failed'));
  const webDir = await ensureWebBuild(ROOT_DIR, log);
  const workbench = await startWorkbench({
    port: options.port,
    dbPath: options.dbPath,
    historyMb: options.historyMb,
    token: options.token,
    log,
    webDir,
    ...(options.redis !== undefined && { redis: options.redis }),
  });
  process.stdout.write(`Workbench ready at ${workbench.url}\n`);
  log.info({ db: options.dbPath }, 'store opened');
  if (options.redis) process.stdout.write(`Labs that can use a broker offer BullMQ on ${shownRedisUrl(options.redis)}\n`);

  if (options.open && canOpenBrowser(process.env)) {
    const { default: open } = await import('open');
    open(workbench.url).catch((error: unknown) => log.warn({ err: error }, 'could not open a browser'));
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    workbench.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
};

main().catch((error: unknown) => {
  process.stderr.write(`The workbench could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
