/**
 * The event bus view's model: who publishes (inbound routes), which events
 * go over the bus, and per handler its outcomes (ok / failed attempts,
 * retries, dead letters), average and p90 latency and its last outcome; plus
 * the dead-letter list. Latency percentiles come from each handler's last
 * LATENCY_SAMPLES durations.
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { percentile } from '../shared/format.ts';
import { trimFront, type ViewReducer } from '../shared/reducer.ts';

export interface HandlerModel {
  handler: string;
  /** The events it handles. */
  names: string[];
  ok: number;
  failed: number;
  /** Attempts past the first. */
  retries: number;
  deadLetters: number;
  avgMs: number | undefined;
  p90Ms: number | undefined;
  last: { ok: boolean; t: number; error?: string } | undefined;
}

export interface DeadLetter {
  t: number;
  eventId: string;
  name: string | undefined;
  handler: string;
  attempts: number;
  error: string;
}

export interface EventsModel {
  publishers: Array<{ route: string; count: number }>;
  names: Array<{ name: string; published: number; lastT: number }>;
  handlers: HandlerModel[];
  /** Newest first. */
  deadLetters: DeadLetter[];
  published: number;
  deadLettered: number;
}

export const LATENCY_SAMPLES = 200;
export const MAX_DEAD_LETTERS = 200;
const MAX_EVENT_IDS = 5000;
const MAX_NAMES = 50;
const MAX_HANDLERS = 50;

interface HandlerAcc {
  handler: string;
  names: Set<string>;
  ok: number;
  failed: number;
  retries: number;
  deadLetters: number;
  totalMs: number;
  samples: number[];
  last: HandlerModel['last'];
}

interface Acc {
  publishers: Map<string, number>;
  names: Map<string, { published: number; lastT: number }>;
  /** Which event each id was, for handlers that name only the id. */
  eventNames: Map<string, string>;
  handlers: Map<string, HandlerAcc>;
  deadLetters: DeadLetter[];
  published: number;
  deadLettered: number;
}

const handlerOf = (acc: Acc, handler: string): HandlerAcc | undefined => {
  let h = acc.handlers.get(handler);
  if (!h && acc.handlers.size < MAX_HANDLERS) {
    h = { handler, names: new Set(), ok: 0, failed: 0, retries: 0, deadLetters: 0, totalMs: 0, samples: [], last: undefined };
    acc.handlers.set(handler, h);
  }
  return h;
};

export const eventsReducer: ViewReducer<Acc, EventsModel> = {
  init: () => ({ publishers: new Map(), names: new Map(), eventNames: new Map(), handlers: new Map(), deadLetters: [], published: 0, deadLettered: 0 }),
  step(acc, event: TelemetryEvent) {
    switch (event.type) {
      case 'request':
        if (event.direction === 'inbound' && (acc.publishers.has(event.target) || acc.publishers.size < 10)) {
          acc.publishers.set(event.target, (acc.publishers.get(event.target) ?? 0) + 1);
        }
        return;
      case 'event.published': {
        acc.published++;
        const entry = acc.names.get(event.name);
        if (entry) {
          entry.published++;
          entry.lastT = event.t;
        } else if (acc.names.size < MAX_NAMES) {
          acc.names.set(event.name, { published: 1, lastT: event.t });
        }
        acc.eventNames.set(event.eventId, event.name);
        if (acc.eventNames.size > MAX_EVENT_IDS) acc.eventNames.delete(acc.eventNames.keys().next().value!);
        return;
      }
      case 'event.handled': {
        const h = handlerOf(acc, event.handler);
        if (!h) return;
        const name = acc.eventNames.get(event.eventId);
        if (name && h.names.size < MAX_NAMES) h.names.add(name);
        h[event.ok ? 'ok' : 'failed']++;
        if (event.attempt > 1) h.retries++;
        h.totalMs += event.durationMs;
        h.samples.push(event.durationMs);
        trimFront(h.samples, LATENCY_SAMPLES);
        h.last = { ok: event.ok, t: event.t, ...(event.error !== undefined && { error: event.error }) };
        return;
      }
      case 'event.deadletter': {
        acc.deadLettered++;
        const h = handlerOf(acc, event.handler);
        if (h) h.deadLetters++;
        acc.deadLetters.push({
          t: event.t,
          eventId: event.eventId,
          name: acc.eventNames.get(event.eventId),
          handler: event.handler,
          attempts: event.attempts,
          error: event.error,
        });
        trimFront(acc.deadLetters, MAX_DEAD_LETTERS);
        return;
      }
      default:
        return;
    }
  },
  view: (acc) => ({
    publishers: [...acc.publishers].map(([route, count]) => ({ route, count })),
    names: [...acc.names].map(([name, v]) => ({ name, ...v })),
    handlers: [...acc.handlers.values()].map((h): HandlerModel => {
      const samples = h.samples.slice(-LATENCY_SAMPLES);
      const n = h.ok + h.failed;
      return {
        handler: h.handler,
        names: [...h.names],
        ok: h.ok,
        failed: h.failed,
        retries: h.retries,
        deadLetters: h.deadLetters,
        avgMs: n ? h.totalMs / n : undefined,
        p90Ms: percentile(samples, 0.9),
        last: h.last && { ...h.last },
      };
    }),
    deadLetters: acc.deadLetters.slice(-MAX_DEAD_LETTERS).reverse(),
    published: acc.published,
    deadLettered: acc.deadLettered,
  }),
};
