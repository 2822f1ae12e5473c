/** The workbench's own log: readable lines in a terminal, JSON otherwise (for tools). */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const createLogger = (options: { level?: string; pretty?: boolean } = {}): Logger => {
  const level = options.level ?? process.env.WORKBENCH_LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return usePretty
    ? pino({ level }, pretty({ colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }))
    : pino({ level });
};
