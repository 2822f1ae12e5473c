/** Events named the way a learner reads them, for the summary of an opened row. */

/** The kit's core event types that name a row, as nouns: a `request` naming a request is one of its outbound calls. */
const NOUNS: Record<string, [one: string, many: string]> = {
  request: ['outbound call', 'outbound calls'],
  'fault.injected': ['injected fault', 'injected faults'],
  log: ['log line', 'log lines'],
  sql: ['SQL statement', 'SQL statements'],
};

/** `2 outbound calls, 1 injected fault`; a pattern's own types by name (`1 retry.attempt event`). */
export const describeCounts = (counts: ReadonlyArray<{ type: string; count: number }>): string =>
  counts
    .map(({ type, count }) => {
      const [one, many] = NOUNS[type] ?? [`${type} event`, `${type} events`];
      return `${count} ${count === 1 ? one : many}`;
    })
    .join(', ');
