/**
 * The checkout lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`checkoutParams.specs`) and lab.ts reads them typed, defaults
 * included (`checkoutParams.read(ctx.params)`). Changing one rebuilds the
 * services' loggers in place; the run goes on.
 */
import { defineParams } from '../kit/index.ts';

export const checkoutParams = defineParams({
  level: {
    label: 'Minimum level',
    description: 'Lines below this level are dropped before any work is done. Debug is where the volume is.',
    type: 'enum',
    default: 'debug',
    options: [
      { value: 'debug', label: 'debug' },
      { value: 'info', label: 'info' },
      { value: 'warn', label: 'warn' },
    ],
  },
  sampling: {
    label: 'Sample debug lines',
    description: 'Keep at most the debug budget of debug lines each second (then one in a hundred). Warnings and errors are never sampled.',
    type: 'boolean',
    default: true,
  },
  debugPerSecond: {
    label: 'Debug budget',
    description: 'Debug lines each service keeps per second before sampling starts.',
    type: 'integer',
    default: 100,
    min: 1,
    max: 5_000,
    unit: 'lines/s',
  },
  redaction: {
    label: 'Redact personal data',
    description:
      "Take sensitive keys (email, ip, password, …) and anything that looks like an email or IPv4 address out of every line. Untick it to log what the code hands the logger, as the widely copied Python version does.",
    type: 'boolean',
    default: true,
  },
  carrier: {
    label: 'Request context kept in',
    description:
      "Where the request id is kept while a request is served: per async call (AsyncLocalStorage), or in one module variable that every request in flight shares, as the widely copied Python version's rebound module-level logger is.",
    type: 'enum',
    default: 'async-call',
    options: [
      { value: 'async-call', label: 'each async call (AsyncLocalStorage)' },
      { value: 'module-variable', label: 'a module variable' },
    ],
  },
});
