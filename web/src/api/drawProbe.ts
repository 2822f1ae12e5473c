/**
 * When each live event was drawn, for `npm run bench -- browser` (test/bench/browser.ts).
 *
 * Off unless the page was loaded with `localStorage['workbench.drawProbe'] === '1'` (the bench
 * sets it before the app's scripts run); off, every call is one boolean test and returns.
 *
 * On, useLiveRun (live.ts) reports three moments:
 *  - `received`: a live batch came off the WebSocket (its events' run times `t`, and the wall time);
 *  - `staged`: the frame callback that publishes the window took a snapshot, which holds every
 *    event received so far;
 *  - `committed`: React committed the state made from that snapshot (a layout effect, so within
 *    the commit itself). The batches count as drawn once the frame that paints the commit is
 *    done: a message posted from within that frame runs after its style, layout and paint (the
 *    frame under way when the commit happened within its callback, else the next one, waited
 *    for with `requestAnimationFrame`). One `performance.mark('workbench.live.drawn')` per drawn
 *    frame carries, in its `detail`, the wall time it was drawn and the batches it drew.
 *
 * Times are wall-clock (`Date.now()`): the bench maps each event's run time `t` onto the same
 * clock (it brackets when the run's clock started from API calls it times itself), so the
 * server's batching, the socket and the page's own work are all inside the figure.
 */

export interface ProbeBatch {
  /** Wall time (epoch ms) the batch came off the socket. */
  receivedAt: number;
  /** Run times (`t`, ms on the run's clock) of its events. */
  ts: number[];
  /** Events the server dropped for this page, reported with this batch. */
  dropped: number;
}

export interface DrawnDetail {
  /** Wall time (epoch ms) the frame that drew these batches was done. */
  drawnAt: number;
  batches: ProbeBatch[];
}

export const DRAWN_MARK = 'workbench.live.drawn';
export const PROBE_FLAG = 'workbench.drawProbe';

const enabled = (() => {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(PROBE_FLAG) === '1';
  } catch {
    return false;
  }
})();

let received: ProbeBatch[] = [];
let staged: ProbeBatch[] = [];
/** Set while the frame callback that staged a snapshot runs: a commit within it is painted by this very frame. */
let inFrame = false;

const markDrawn = (batches: ProbeBatch[]) => {
  const detail: DrawnDetail = { drawnAt: Date.now(), batches };
  performance.mark(DRAWN_MARK, { detail });
};

/** Runs `then` once the current frame's style, layout and paint are done: a task posted now runs after them. */
const afterPaint = (then: () => void) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    then();
  };
  channel.port2.postMessage(null);
};

export const drawProbe = {
  enabled,
  received(events: readonly { t: number }[], dropped: number): void {
    if (!enabled) return;
    received.push({ receivedAt: Date.now(), ts: events.map((e) => e.t), dropped });
  },
  /** A snapshot of the window was taken for a render: what was received is in it. */
  staged(): void {
    if (!enabled || received.length === 0) return;
    for (const batch of received) staged.push(batch);
    received = [];
    // Microtasks run as soon as the frame callback returns: a commit after that is a later one.
    inFrame = true;
    queueMicrotask(() => (inFrame = false));
  },
  /**
   * React committed the snapshots staged so far. Committed within the frame callback that
   * staged them, they are painted by this frame; otherwise by the next one.
   */
  committed(): void {
    if (!enabled || staged.length === 0) return;
    const batches = staged;
    staged = [];
    if (inFrame) afterPaint(() => markDrawn(batches));
    else requestAnimationFrame(() => afterPaint(() => markDrawn(batches)));
  },
};
