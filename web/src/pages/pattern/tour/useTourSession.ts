/**
 * The tour beside a pattern's lab: whether it is shown, which run it follows
 * and from which run time it counts. Kept in sessionStorage, so a trip to
 * another tab or a reload carries on where the learner was.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Tour } from '../../../../../server/protocol/api.ts';
import { api } from '../../../api/client.ts';
import type { LiveRun } from '../../../api/live.ts';

const openKey = (patternId: string) => `workbench.tour.${patternId}.open`;
const startKey = (runId: string) => `workbench.tour.run.${runId}.start`;

const read = (key: string): string | null => {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
};
const write = (key: string, value: string): void => {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Not remembered past this page: the tour still works.
  }
};

/** The run time of the run's own latest event (the page may briefly hold another run's events). */
const latestT = (live: LiveRun, runId: string): number | undefined => {
  for (let i = live.events.length - 1; i >= 0; i--) if (live.events[i]!.runId === runId) return live.events[i]!.t;
  return undefined;
};

export interface TourSession {
  open: boolean;
  setOpen: (open: boolean) => void;
  /** The run time the tour counts from for the current run; undefined until known. */
  startT: number | undefined;
  /** Counts again from now. */
  restart: () => void;
  /** Call when the learner starts a run: with the tour open, all of the new run counts. */
  runStarted: (runId: string | undefined) => void;
  /** The current run's lab, and whether it is still going. */
  run: { lab: string; live: boolean } | undefined;
}

export const useTourSession = (tour: Tour | null | undefined, patternId: string, runId: string | undefined, live: LiveRun): TourSession => {
  const [open, setOpenState] = useState(() => read(openKey(patternId)) === 'true');
  const [starts, setStarts] = useState<Record<string, number>>({});
  const [run, setRun] = useState<{ id: string; lab: string; live: boolean }>();

  useEffect(() => setOpenState(read(openKey(patternId)) === 'true'), [patternId]);

  const record = useCallback((id: string, t: number) => {
    write(startKey(id), String(t));
    setStarts((s) => ({ ...s, [id]: t }));
  }, []);

  const stored = runId === undefined ? undefined : (starts[runId] ?? (read(startKey(runId)) === null ? undefined : Number(read(startKey(runId)))));

  // The tour is open on a run it has no start for (opened now, or a run found on load): it counts from the run's latest event.
  const loadedT = runId === undefined ? undefined : latestT(live, runId);
  useEffect(() => {
    if (!tour || !open || !runId || stored !== undefined) return;
    if (loadedT !== undefined) record(runId, loadedT);
    else if (live.connected && live.revision > 0) record(runId, 0);
  }, [tour, open, runId, stored, loadedT, live.connected, live.revision, record]);

  // The run's lab and state, again when the stream says it stopped.
  const stopped = !!tour && open && live.events.some((e) => e.type === 'run.stopped' && e.runId === runId);
  useEffect(() => {
    if (!runId || !tour) return;
    let current = true;
    api.run(runId).then(
      (detail) => current && setRun({ id: runId, lab: detail.lab, live: detail.live }),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [runId, tour, stopped]);

  const setOpen = useCallback(
    (next: boolean) => {
      write(openKey(patternId), String(next));
      setOpenState(next);
    },
    [patternId],
  );
  const restart = useCallback(() => {
    if (runId) record(runId, latestT(live, runId) ?? 0);
  }, [runId, live, record]);
  const runStarted = useCallback(
    (id: string | undefined) => {
      if (id && open) record(id, 0);
    },
    [open, record],
  );

  const shown = run && run.id === runId ? { lab: run.lab, live: run.live } : undefined;
  return { open, setOpen, startT: stored, restart, runStarted, run: shown };
};
