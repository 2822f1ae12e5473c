/**
 * A run's telemetry as one growing, bounded event list: the recorded history
 * first (so a page opened mid-run, or after it ended, shows everything), then
 * live batches from the WebSocket. Views reduce over it; they never keep
 * their own copies.
 */
import { useEffect, useRef, useState } from 'react';
import type { TelemetryBatch, TelemetryEvent } from '../../../patterns/kit/index.ts';
import { api } from './client.ts';

/** Most events kept in the page; older ones fall off (views aggregate, metrics stay). */
export const MAX_EVENTS = 50_000;

export interface LiveRun {
  events: TelemetryEvent[];
  /** Events the server dropped because this page fell behind. */
  dropped: number;
  connected: boolean;
  /** Bumped on every batch: a cheap dependency for memoised reducers. */
  revision: number;
}

export const useLiveRun = (runId: string | undefined, options: { paused?: boolean } = {}): LiveRun => {
  const [state, setState] = useState<LiveRun>({ events: [], dropped: 0, connected: false, revision: 0 });
  const buffer = useRef<{ events: TelemetryEvent[]; dropped: number }>({ events: [], dropped: 0 });
  const paused = options.paused ?? false;
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    buffer.current = { events: [], dropped: 0 };
    setState({ events: [], dropped: 0, connected: false, revision: 0 });
    if (!runId) return;
    let closed = false;
    let socket: WebSocket | undefined;
    // One render per frame however many batches arrived, and one copy per render: a page
    // that falls behind must not queue an update (and a copy of every event) per batch.
    let frame: number | undefined;
    const publish = () => {
      if (pausedRef.current || frame !== undefined) return;
      frame = requestAnimationFrame(() => {
        frame = undefined;
        if (closed || pausedRef.current) return;
        const events = buffer.current.events.slice();
        const { dropped } = buffer.current;
        setState((s) => ({ ...s, events, dropped, revision: s.revision + 1 }));
      });
    };
    const append = (events: TelemetryEvent[], dropped = 0) => {
      const all = buffer.current.events;
      for (const event of events) all.push(event);
      if (all.length > MAX_EVENTS) all.splice(0, all.length - MAX_EVENTS);
      buffer.current.dropped += dropped;
    };
    const seen = new Set<string>();
    const key = (e: TelemetryEvent) => `${e.t}:${e.type}:${(e as { id?: string }).id ?? ''}`;

    (async () => {
      // Connect first, then backfill, then merge: nothing falls between the two.
      const pending: TelemetryBatch[] = [];
      let backfilled = false;
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live?run=${encodeURIComponent(runId)}`;
      socket = new WebSocket(url);
      socket.onopen = () => setState((s) => ({ ...s, connected: true }));
      socket.onclose = () => !closed && setState((s) => ({ ...s, connected: false }));
      socket.onmessage = (message) => {
        const batch = JSON.parse(String(message.data)) as TelemetryBatch;
        if (!backfilled) {
          pending.push(batch);
          return;
        }
        append(batch.events, batch.dropped);
        publish();
      };
      const history = await api.events(runId).catch(() => ({ events: [] as TelemetryEvent[], lastSeq: -1 }));
      if (closed) return;
      for (const event of history.events) seen.add(key(event));
      append(history.events);
      for (const batch of pending) append(batch.events.filter((e) => !seen.has(key(e))), batch.dropped);
      backfilled = true;
      seen.clear();
      publish();
    })();

    return () => {
      closed = true;
      if (frame !== undefined) cancelAnimationFrame(frame);
      socket?.close();
    };
  }, [runId]);

  // Resuming shows everything that arrived while paused.
  useEffect(() => {
    if (!paused) {
      const { events, dropped } = buffer.current;
      setState((s) => ({ ...s, events: events.slice(), dropped, revision: s.revision + 1 }));
    }
  }, [paused]);

  return state;
};
