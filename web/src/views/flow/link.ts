/**
 * The join behind a linked stage's edges: which node of the previous stage
 * each of its events follows, by a value both events carry (an `eventId`, a
 * `requestId`). Either event may come first: a handler runs after the
 * publish, but an inbound `request` is recorded when it ends, after the
 * service calls it made. So each side waits for the other in a bounded map
 * (the newest MAX_LINKS link values); a link value older than that no longer
 * draws an edge. Plain data: a checkpoint's structured clone copies it.
 */

export const MAX_LINKS = 5_000;

/** One event of the linked stage: the node it went to, when, and whether it ended well. */
export interface Pass {
  node: string;
  t: number;
  ok: boolean | undefined;
}

export interface LinkAcc {
  /** Link value → the previous stage's node whose event carried it. */
  previous: Map<string | number, string>;
  /** Link value → this stage's passes that came before the previous stage's event (the newest per node). */
  waiting: Map<string | number, Map<string, Pass>>;
}

export const newLink = (): LinkAcc => ({ previous: new Map(), waiting: new Map() });

/** A field's value that can link two events: a non-empty string or a number. */
export const linkValueOf = (value: unknown): string | number | undefined =>
  (typeof value === 'string' && value !== '') || typeof value === 'number' ? value : undefined;

/**
 * The previous stage's `node` carried `value`: remembered for the passes to
 * come, and the passes that were waiting for it, returned (now joined to `node`).
 */
export const joinPrevious = (link: LinkAcc, value: string | number, node: string): Pass[] => {
  remember(link.previous, value, node);
  const waiting = link.waiting.get(value);
  if (!waiting) return [];
  link.waiting.delete(value);
  return [...waiting.values()];
};

/** A pass carried `value`: the previous stage's node it follows, or undefined (it waits for that node). */
export const joinPass = (link: LinkAcc, value: string | number, pass: Pass): string | undefined => {
  const from = link.previous.get(value);
  if (from !== undefined) return from;
  let waiting = link.waiting.get(value);
  if (!waiting) {
    waiting = new Map();
    remember(link.waiting, value, waiting);
  }
  // Per node, so a request's many calls to one repository method wait as one.
  waiting.set(pass.node, pass);
  return undefined;
};

/** Sets `key` as the newest entry, forgetting the oldest past MAX_LINKS. */
const remember = <V>(map: Map<string | number, V>, key: string | number, value: V): void => {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_LINKS) map.delete(map.keys().next().value!);
};
