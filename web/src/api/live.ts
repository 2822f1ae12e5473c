/**
 * A run's telemetry as one growing, bounded window of events in `seq` order:
 * the newest recorded history (so a page opened mid-run, or reloaded after
 * minutes of it, shows the present, not the run's first minutes), then live
 * batches from the WebSocket, merged by `seq` so nothing shows twice. Views
 * reduce over it; they never keep their own copies.
 *
 * Older history is not loaded in full: the window starts at the newest
 * HISTORY_PAGE events when the page opens and keeps at most MAX_EVENTS, and
 * `olderNotLoaded` says so (the timeline marks it). Before the window only the
 * state changes are loaded (STATE_TYPES: circuit states, faults, load, …), so
 * views show the present truly — a circuit closed since long ago, not since
 * the window began. The controls never depend on any of it: they read the
 * run's current state (GET /api/runs/:id).
 *
 * The stream survives the workbench going away: when the socket closes for any reason
 * but the run's end, the connection monitor (connection.ts) asks the workbench with a
 * backoff until it answers. Back with the same token, the stream reconnects and loads
 * what it missed (the events after the newest it holds; a run that ended meanwhile, its
 * last events); back with a new token, it stops, and the monitor's notice says to open
 * the new URL.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TelemetryBatch, TelemetryEvent } from '../../../patterns/kit/index.ts';
import { api, ApiError } from './client.ts';
import { connection, isRunEnd, reconnectDelay } from './connection.ts';
import { drawProbe } from './drawProbe.ts';
import { fullFromT, mergeBySeq, olderNotLoaded, oldestFirst, PRELUDE_LIMIT, STATE_TYPES, trimOldest } from './history.ts';

/** Most events kept in the page; older ones fall off (views aggregate, metrics stay). */
export const MAX_EVENTS = 100_000;
/** The recorded events loaded when the page opens a run: the newest this many. */
export const HISTORY_PAGE = 10_000;

export interface LiveRun {
  events: TelemetryEvent[];
  /** Events the server dropped because this page fell behind. */
  dropped: number;
  /** `dropped` by event type: only types their pattern (or the kit) declares droppable, unless the page fell very far behind. */
  droppedByType: Record<string, number>;
  connected: boolean;
  /** Bumped on every batch: a cheap dependency for memoised reducers. */
  revision: number;
  /** The run has events older than the window holds (not loaded, or trimmed off). */
  olderNotLoaded: boolean;
  /** With olderNotLoaded: the run time from which the window holds every event; before it only state changes. */
  fullFromT: number | undefined;
}

const EMPTY: LiveRun = { events: [], dropped: 0, droppedByType: {}, connected: false, revision: 0, olderNotLoaded: false, fullFromT: undefined };

interface Buffer {
  events: TelemetryEvent[];
  dropped: number;
  /** A map: event types come off the wire, and one must not be able to name a prototype key. */
  droppedByType: Map<string, number>;
  trimmed: number;
  historyHadMore: boolean;
  /** The seq from which the window holds every event. */
  fullFromSeq: number;
}

const freshBuffer = (): Buffer => ({ events: [], dropped: 0, droppedByType: new Map(), trimmed: 0, historyHadMore: false, fullFromSeq: 0 });

const snapshot = (b: Buffer): Pick<LiveRun, 'events' | 'dropped' | 'droppedByType' | 'olderNotLoaded' | 'fullFromT'> => {
  const older = olderNotLoaded(b.events, b.historyHadMore, b.trimmed);
  return { events: b.events.slice(), dropped: b.dropped, droppedByType: Object.fromEntries(b.droppedByType), olderNotLoaded: older, fullFromT: older ? fullFromT(b.events, b.fullFromSeq) : undefined };
};

export const useLiveRun = (runId: string | undefined, options: { paused?: boolean } = {}): LiveRun => {
  const [state, setState] = useState<LiveRun>(EMPTY);
  const buffer = useRef<Buffer>(freshBuffer());
  const paused = options.paused ?? false;
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    buffer.current = freshBuffer();
    setState(EMPTY);
    if (!runId) return;
    let closed = false;
    let socket: WebSocket | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    /** The load under way (the newest history, or a reconnect's gap). */
    let loading: Promise<void> = Promise.resolve();
    // One render per frame however many batches arrived, and one copy per render: a page
    // that falls behind must not queue an update (and a copy of every event) per batch.
    let frame: number | undefined;
    const publish = () => {
      if (pausedRef.current || frame !== undefined) return;
      frame = requestAnimationFrame(() => {
        frame = undefined;
        if (closed || pausedRef.current) return;
        drawProbe.staged();
        const next = snapshot(buffer.current);
        setState((s) => ({ ...s, ...next, revision: s.revision + 1 }));
      });
    };
    /** Merges events into the window; a live batch also brings what the server dropped for this page. */
    const merge = (events: readonly TelemetryEvent[], drops?: Pick<TelemetryBatch, 'dropped' | 'droppedByType'>) => {
      const b = buffer.current;
      mergeBySeq(b.events, events);
      const trimmed = trimOldest(b.events, MAX_EVENTS);
      if (trimmed > 0) {
        b.trimmed += trimmed;
        b.fullFromSeq = Math.max(b.fullFromSeq, b.events[0]?.seq ?? 0);
      }
      if (drops) {
        b.dropped += drops.dropped;
        for (const [type, count] of Object.entries(drops.droppedByType)) b.droppedByType.set(type, (b.droppedByType.get(type) ?? 0) + count);
      }
    };

    /** The events after the newest the window holds, oldest first, in pages: what a reconnect missed. */
    const loadGap = async () => {
      for (let page = 0; page < MAX_EVENTS / HISTORY_PAGE; page++) {
        const after = buffer.current.events.at(-1)?.seq;
        if (after === undefined) return loadNewest();
        const gap = await api.events(runId, { after, limit: HISTORY_PAGE }).catch(() => undefined);
        if (closed || !gap) return;
        merge(gap.events);
        if (!gap.more) return;
      }
    };

    /** The newest recorded history, and the state changes before it. */
    const loadNewest = async () => {
      const history = await api.events(runId, { order: 'desc', limit: HISTORY_PAGE }).catch(() => undefined);
      if (closed) return;
      if (history) {
        merge(oldestFirst(history.events));
        buffer.current.historyHadMore = history.more;
        if (history.firstSeq !== null) buffer.current.fullFromSeq = history.firstSeq;
        // Before the window, the state changes alone: what the circuit, the faults and the
        // load were doing when the window begins.
        if (history.more && history.firstSeq !== null) {
          const prelude = await api
            .events(runId, { order: 'desc', before: history.firstSeq, types: STATE_TYPES, limit: PRELUDE_LIMIT })
            .catch(() => undefined);
          if (closed) return;
          if (prelude) merge(oldestFirst(prelude.events));
        }
      }
    };

    /**
     * Opens the stream. Connect first, then load (the newest history, or after a reconnect
     * what was missed), then merge by seq: nothing falls between the two, and what came
     * both ways shows once. `failures`: tries in a row that never opened.
     */
    const connect = async (failures: number, resume: boolean) => {
      if (closed) return;
      const pending: TelemetryBatch[] = [];
      let loaded = false;
      let opened = false;
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live?run=${encodeURIComponent(runId)}`;
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => {
        opened = true;
        connection.reportAnswered();
        setState((s) => ({ ...s, connected: true }));
      };
      ws.onclose = (event) => {
        if (closed || socket !== ws) return;
        setState((s) => ({ ...s, connected: false }));
        // The run ended: everything was sent, nothing more will come.
        if (isRunEnd(event.code)) return;
        // Anything else — the workbench stopped, restarted, refused the upgrade (a new token,
        // a run no longer live, too many streams) or the network dropped — is found out.
        void recover(opened ? 0 : failures + 1);
      };
      ws.onmessage = (message) => {
        if (socket !== ws) return;
        const batch = JSON.parse(String(message.data)) as TelemetryBatch;
        drawProbe.received(batch.events, batch.dropped);
        if (!loaded) {
          pending.push(batch);
          return;
        }
        merge(batch.events, batch);
        publish();
      };
      loading = resume ? loadGap() : loadNewest();
      await loading;
      if (closed) return;
      // Even from a socket that has closed since (and been replaced): merging by seq keeps each event once.
      for (const batch of pending) merge(batch.events, batch);
      loaded = true;
      publish();
    };

    /** After the stream closed unexpectedly: wait for the workbench, then reconnect, or load a run's end. */
    const recover = async (failures: number) => {
      // The monitor asks the workbench, and keeps asking with a backoff while it does not answer.
      await connection.check();
      if (closed || (await connection.whenAvailable()) === 'signed-out' || closed) return;
      let live: boolean | undefined;
      try {
        live = (await api.run(runId)).live;
      } catch (error) {
        // Not this workbench's run (another database), or the token changed: nothing to reconnect to.
        if (error instanceof ApiError && (error.status === 404 || error.status === 401)) return;
      }
      if (closed) return;
      if (live === false) {
        // It ended while the page was away (a restart ends every run), or before the page opened
        // it: its last events, its end among them (after what the first load brings).
        await loading;
        if (closed) return;
        await loadGap();
        if (!closed) publish();
        return;
      }
      // Live (or not known yet): again, at once the first time, then with a backoff, so a
      // refused upgrade (too many streams open) is not hammered.
      retryTimer = setTimeout(() => void connect(failures, true), reconnectDelay(failures));
    };

    void connect(0, false);

    return () => {
      closed = true;
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      socket?.close();
    };
  }, [runId]);

  // The bench's probe (off unless asked for): the snapshot staged for this render is committed.
  useLayoutEffect(() => drawProbe.committed(), [state.revision]);

  // Resuming shows everything that arrived while paused.
  useEffect(() => {
    if (!paused) {
      const next = snapshot(buffer.current);
      setState((s) => ({ ...s, ...next, revision: s.revision + 1 }));
    }
  }, [paused]);

  return state;
};
