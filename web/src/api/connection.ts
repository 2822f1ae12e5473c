/**
 * Whether the workbench answers this tab, and with its token: one monitor for the
 * whole page, fed by the API client and the live streams, shown by ConnectionNotice.
 *
 * - `ok`: the workbench answers.
 * - `retrying`: it does not (stopped, or restarting): a call failed at the network, or a
 *   gateway answered for it. The monitor asks again with a backoff (1 s, 2 s, 4 s, 8 s,
 *   then every 10 s) until it answers; GET calls wait for it meanwhile and then go on, and
 *   live streams reconnect, so a restart with the same token is a pause, not a broken tab.
 * - `signed-out`: it answers 401: the workbench was restarted with a new token (its token is
 *   random per launch). No amount of retrying fixes that: the monitor stops and the notice
 *   says to open the new URL. Coming back to the tab (focus) asks once more, in case the
 *   learner opened the URL in another tab meanwhile (that refreshes the shared cookie).
 *
 * While all is well, a heartbeat asks every few seconds, so a workbench that went away is
 * noticed even by a page that makes no calls.
 *
 * Everything the monitor needs from the browser (fetch, timers, the clock, visibility) comes
 * in through its options, so it is tested with fakes (connection.test.ts).
 */

export type ConnectionStatus = 'ok' | 'retrying' | 'signed-out';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Failed tries in a row while `retrying` (0 at the first failure). */
  readonly attempt: number;
  /** When the next try goes (epoch ms), while `retrying`. */
  readonly nextTryAt: number | undefined;
}

/** What one HTTP answer says about the workbench. */
export type Verdict = 'answered' | 'signed-out' | 'unreachable';

/**
 * A 401 is the token; a 502/504, or any 5xx that is not the workbench's JSON error (every
 * error of the workbench is JSON), is a gateway — Vite's dev proxy — answering for a
 * workbench that is not there. Anything else, even a 503 "database busy", is the workbench.
 */
export const classifyAnswer = (status: number, contentType: string | null | undefined): Verdict => {
  if (status === 401) return 'signed-out';
  if (status === 502 || status === 504) return 'unreachable';
  if (status >= 500 && !(contentType ?? '').toLowerCase().includes('json')) return 'unreachable';
  return 'answered';
};

export const MIN_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 10_000;
export const HEARTBEAT_MS = 5_000;

/** The wait before try `attempt` (0-based): 1 s, 2 s, 4 s, 8 s, then 10 s. */
export const retryDelay = (attempt: number, min = MIN_RETRY_MS, max = MAX_RETRY_MS): number =>
  Math.min(max, min * 2 ** Math.max(0, Math.min(attempt, 30)));

/**
 * The wait before a live stream's next try, after `failures` tries in a row that never
 * opened: at once after a stream that was open (or the first refusal), then 1 s, 2 s, …, 10 s.
 */
export const reconnectDelay = (failures: number): number => (failures <= 1 ? 0 : retryDelay(failures - 2));

/** Whether a live stream's close is the run's end (the workbench closes it 1000 "run stopped"), not a loss. */
export const isRunEnd = (code: number): boolean => code === 1000;

type Timer = unknown;

/** Where "the learner came back" is heard: the window (focus, online, visibilitychange). */
export interface ReturnEvents {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface ConnectionOptions {
  /** Asks the workbench; resolves with the answer's status and content type, rejects when nothing answers. */
  probe: () => Promise<{ status: number; contentType: string | null }>;
  setTimeout: (fn: () => void, ms: number) => Timer;
  clearTimeout: (timer: Timer) => void;
  now: () => number;
  /** Whether the tab is hidden (coming back to a hidden tab is not a return). */
  isHidden?: () => boolean;
  heartbeatMs?: number;
  minRetryMs?: number;
  maxRetryMs?: number;
}

const OK: ConnectionState = { status: 'ok', attempt: 0, nextTryAt: undefined };
const SIGNED_OUT: ConnectionState = { status: 'signed-out', attempt: 0, nextTryAt: undefined };

export class ConnectionMonitor {
  private state: ConnectionState = OK;
  private readonly listeners = new Set<() => void>();
  private waiters: Array<(status: 'ok' | 'signed-out') => void> = [];
  private retryTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private probing: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: ConnectionOptions) {}

  /** The current state: the same object until it changes (for useSyncExternalStore). */
  readonly getState = (): ConnectionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Resolves once the workbench answers (`ok`), or when it turns out the token changed (`signed-out`). */
  whenAvailable(): Promise<'ok' | 'signed-out'> {
    if (this.state.status === 'ok') return Promise.resolve('ok');
    if (this.state.status === 'signed-out') return Promise.resolve('signed-out');
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A call or a stream got no answer (or a gateway's): ask again with a backoff until it answers. */
  reportUnreachable(): void {
    if (this.state.status !== 'ok') return;
    this.scheduleRetry(0);
  }

  /** The workbench answered 401: its token is not this tab's any more. */
  reportSignedOut(): void {
    this.cancelRetry();
    this.set(SIGNED_OUT);
  }

  /** The workbench answered (anything but a 401): it is there, with this tab's token. */
  reportAnswered(): void {
    if (this.state.status === 'ok') return;
    this.cancelRetry();
    this.set(OK);
    this.scheduleHeartbeat();
  }

  /** Apply an HTTP answer's verdict. */
  report(verdict: Verdict): void {
    if (verdict === 'answered') this.reportAnswered();
    else if (verdict === 'signed-out') this.reportSignedOut();
    else this.reportUnreachable();
  }

  /**
   * Asks the workbench now (a live stream closed unexpectedly, the learner pressed "Try now",
   * or came back to the tab). Resolves when the answer is in and the state follows it.
   */
  check(): Promise<void> {
    if (this.probing) return this.probing;
    this.cancelRetry();
    const attempt = this.state.status === 'retrying' ? this.state.attempt + 1 : 0;
    this.probing = this.options
      .probe()
      .then(
        ({ status, contentType }) => classifyAnswer(status, contentType),
        (): Verdict => 'unreachable',
      )
      .then((verdict) => {
        this.probing = undefined;
        if (verdict === 'unreachable') {
          // Signed out and now not answering either: the notice already says what to do.
          if (this.state.status !== 'signed-out') this.scheduleRetry(attempt);
        } else {
          this.report(verdict);
        }
      });
    return this.probing;
  }

  /** The heartbeat, and asking again when the tab comes back; returns the stop. */
  start(events?: ReturnEvents): () => void {
    if (this.started) return () => undefined;
    this.started = true;
    const onReturn = () => {
      if (this.options.isHidden?.()) return;
      // Signed out: the learner may have opened the new URL in another tab. Retrying: why wait.
      if (this.state.status !== 'ok') void this.check();
      else this.scheduleHeartbeat();
    };
    events?.addEventListener('focus', onReturn);
    events?.addEventListener('online', onReturn);
    events?.addEventListener('visibilitychange', onReturn);
    this.scheduleHeartbeat();
    return () => {
      this.started = false;
      events?.removeEventListener('focus', onReturn);
      events?.removeEventListener('online', onReturn);
      events?.removeEventListener('visibilitychange', onReturn);
      if (this.heartbeatTimer !== undefined) this.options.clearTimeout(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    };
  }

  /** Stops every timer (tests; a page that goes away). */
  dispose(): void {
    this.cancelRetry();
    if (this.heartbeatTimer !== undefined) this.options.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.started = false;
  }

  private scheduleRetry(attempt: number): void {
    this.cancelRetry();
    const delay = retryDelay(attempt, this.options.minRetryMs, this.options.maxRetryMs);
    this.set({ status: 'retrying', attempt, nextTryAt: this.options.now() + delay });
    this.retryTimer = this.options.setTimeout(() => {
      this.retryTimer = undefined;
      void this.check();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.options.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private scheduleHeartbeat(): void {
    if (!this.started) return;
    if (this.heartbeatTimer !== undefined) this.options.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.options.setTimeout(() => {
      this.heartbeatTimer = undefined;
      if (this.state.status !== 'ok') return;
      // A hidden tab asks too (the browser slows its timers down by itself): it must show the
      // truth when the learner comes back to it.
      void this.check().then(() => {
        if (this.state.status === 'ok') this.scheduleHeartbeat();
      });
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
  }

  private set(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    if (next.status !== 'retrying') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve(next.status);
    }
    for (const listener of [...this.listeners]) listener();
  }
}

/** The page's monitor. It probes with a HEAD of the pattern list: small, and it needs the token. */
export const connection = new ConnectionMonitor({
  probe: async () => {
    const response = await fetch('/api/patterns', { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
    return { status: response.status, contentType: response.headers.get('content-type') };
  },
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (timer) => globalThis.clearTimeout(timer as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
  isHidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
});
