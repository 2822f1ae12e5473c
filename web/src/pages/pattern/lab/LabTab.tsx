/**
 * The live lab: run controls, the lab's guide (what to watch, what to try
 * first) and the run's timeline on top; the lab's views in the middle, its
 * main view first with the invariants under it; and on the side the knobs —
 * faults per fault point, load, parameters — their forms folded until wanted. Views get the events up to the scrub cursor (all of them when
 * live) and `nowT`, the run time they show.
 *
 * The page holds the newest events of the run (see api/live.ts), so the
 * controls and the run bar read the run's current state (GET /api/runs/:id),
 * read again whenever the stream shows a control change — never history.
 */
import '../../../styles/lab.css';
import { Fragment, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Params, PatternDetail, RunDetail } from '../../../../../server/protocol/api.ts';
import { api, ApiError } from '../../../api/client.ts';
import type { LiveRun } from '../../../api/live.ts';
import { ErrorNotice } from '../../../components/ErrorNotice.tsx';
import { isTyping } from '../../../components/shortcuts.ts';
import { GenericView } from '../../../views/registry.tsx';
import { InvariantsView } from '../../../views/invariants/InvariantsView.tsx';
import { makeMarkersReducer } from '../../../views/shared/markers.ts';
import { markProgress } from '../../../progress/learner-progress.ts';
import { lastT } from '../../../views/shared/reducer.ts';
import { useViewModel } from '../../../views/shared/useViewModel.ts';
import { activeWindow } from './faults/faultForm.ts';
import { FaultPanel } from './faults/FaultPanel.tsx';
import { controlsState, streamStateReducer } from './labState.ts';
import { LabGuide } from './guide/LabGuide.tsx';
import { LoadPanel } from './load/LoadPanel.tsx';
import { ParamsPanel } from './params/ParamsPanel.tsx';
import { RunBar } from './run/RunBar.tsx';
import { saturationReducer } from './saturation.ts';
import { SaturationNotice } from './SaturationNotice.tsx';
import { eventsUpTo } from './scrub.ts';
import { Timeline } from './timeline/Timeline.tsx';
import { useMediaQuery } from './useMediaQuery.ts';
import { useRunClock } from './useRunClock.ts';
import { ViewFrame } from './ViewFrame.tsx';

export interface LabTabProps {
  pattern: PatternDetail;
  runId: string | undefined;
  onRunChange: (runId: string | undefined) => void;
  live: LiveRun;
  paused: boolean;
  onPausedChange: (paused: boolean) => void;
  /**
   * The open guided tour, if any. Where the lab has two columns it heads the
   * controls column, above the panels its steps talk about, so the views keep
   * their width; narrower, where the controls fall under the views, it sits
   * above the lab.
   */
  tour?: ReactNode;
}

/** lab.css: `.lab-grid` is one column at this width and below, two above it. */
const TWO_COLUMNS = '(min-width: 1101px)';

export const LabTab = ({ pattern, runId, onRunChange, live, paused, onPausedChange, tour }: LabTabProps) => {
  const twoColumns = useMediaQuery(TWO_COLUMNS);
  const [detail, setDetail] = useState<RunDetail>();
  const patternId = pattern.id;
  const [chosenLab, setChosenLab] = useState(pattern.labs[0]?.id ?? '');
  const [cursor, setCursor] = useState<number | null>(null);
  const [runError, setRunError] = useState<{ title: string; error: unknown }>();
  const [busy, setBusy] = useState(false);

  const [detailError, setDetailError] = useState<unknown>();
  /** Reads the run's state: `gone` when the workbench does not know the run (a 404 is final). */
  const refreshDetail = useCallback((): Promise<'read' | 'failed' | 'gone'> => {
    if (!runId) return Promise.resolve('read');
    return api.run(runId).then(
      (d) => {
        setDetail(d);
        setChosenLab(d.lab);
        setDetailError(undefined);
        return 'read';
      },
      (error: unknown) => {
        setDetailError(error);
        return isGone(error) ? 'gone' : 'failed';
      },
    );
  }, [runId]);

  // The run's state, read at once and again until it answers: without it the page cannot tell a
  // starting run from a running one (a busy workbench, or one restarting, may refuse the first read).
  useEffect(() => {
    setDetail(undefined);
    setDetailError(undefined);
    setCursor(null);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (delayMs: number) => {
      void refreshDetail().then((result) => {
        // A run the workbench does not know will not appear by asking again.
        if (result === 'failed' && !stopped) timer = setTimeout(() => attempt(Math.min(delayMs * 2, 5_000)), delayMs);
      });
    };
    attempt(250);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [refreshDetail]);

  const stream = useViewModel(streamStateReducer, live.events, live.revision, Infinity);
  // A fault, load, params or code change went by: read the run's state again, now and once
  // more a moment later (the host takes a params or code change once the lab has applied it,
  // which may be just after its event).
  useEffect(() => {
    if (stream.controlSeq < 0) return;
    const soon = setTimeout(refreshDetail, 50);
    const later = setTimeout(refreshDetail, 700);
    return () => {
      clearTimeout(soon);
      clearTimeout(later);
    };
  }, [stream.controlSeq, refreshDetail]);
  // The stream says the run stopped or failed: the detail's state follows.
  useEffect(() => {
    if (stream.stopped || stream.error) refreshDetail();
  }, [stream.stopped, stream.error, refreshDetail]);

  const lab = pattern.labs.find((l) => l.id === (detail?.lab ?? chosenLab)) ?? pattern.labs[0];
  const controls = useMemo(() => (lab ? controlsState(lab, detail, stream) : undefined), [lab, detail, stream]);
  // The same object while the values are the same: the panel is memoised.
  const paramsKey = JSON.stringify(controls?.params ?? {});
  const params = useMemo(() => JSON.parse(paramsKey) as Params, [paramsKey]);
  const state = runId && !detail && !stream.stopped ? 'starting' : (controls?.state ?? 'none');
  const going = state === 'running' || state === 'starting';

  // The span the page holds, and what the views see.
  const end = lastT(live.events);
  const older = live.olderNotLoaded;
  const start = older && live.events.length > 0 ? live.events[0]!.t : 0;
  const shownCursor = cursor === null ? null : Math.min(Math.max(cursor, start), end);
  const viewEvents = useMemo(() => eventsUpTo(live.events, shownCursor), [live.events, shownCursor]);
  const viewRevision = useRevision(viewEvents);
  const nowT = shownCursor ?? end;
  const markersReducer = useMemo(() => makeMarkersReducer(lab && Object.fromEntries(lab.params.map((p) => [p.id, p.default]))), [lab]);
  const markers = useViewModel(markersReducer, live.events, live.revision, Infinity);
  const runNow = useRunClock(end, going && !stream.stopped);
  // The workbench's own overload: the notice as at the moment shown, the spans over the whole run.
  const saturationNow = useViewModel(saturationReducer, viewEvents, viewRevision, nowT).current;
  const saturation = useViewModel(saturationReducer, live.events, live.revision, Infinity);

  const pause = useCallback(
    (next: boolean) => {
      if (!next) setCursor(null);
      onPausedChange(next);
    },
    [onPausedChange],
  );

  // Space pauses and resumes, unless the learner is typing.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== ' ' || isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      event.preventDefault();
      pause(!paused);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [paused, pause]);

  const startRun = async () => {
    setBusy(true);
    setRunError(undefined);
    try {
      const { runId: id } = await api.startRun(pattern.id, lab?.id);
      markProgress(pattern.id, 'labTried');
      setCursor(null);
      onPausedChange(false);
      onRunChange(id);
    } catch (error) {
      setRunError({ title: 'The run could not start', error });
    } finally {
      setBusy(false);
    }
  };

  const stopRun = async () => {
    if (!runId) return;
    setBusy(true);
    setRunError(undefined);
    try {
      await api.stopRun(runId);
    } catch (error) {
      setRunError({ title: 'The run could not be stopped', error });
    } finally {
      setBusy(false);
      refreshDetail();
    }
  };

  const chooseLab = (id: string) => {
    setChosenLab(id);
    // A finished run of another lab would be drawn with the wrong views.
    if (detail && detail.lab !== id) onRunChange(undefined);
  };

  if (!lab || !controls) return <p className="muted">This pattern has no lab yet.</p>;
  const codeError = stream.error;
  return (
    <div className="lab">
      {tour && !twoColumns && <div className="tour-slot">{tour}</div>}
      <RunBar
        labs={pattern.labs}
        labId={lab.id}
        onLabChange={chooseLab}
        state={state}
        runId={runId}
        busy={busy}
        connected={live.connected}
        eventCount={viewEvents.length}
        dropped={live.dropped}
        droppedByType={live.droppedByType}
        versions={runId ? controls.versions : nextVersions(pattern)}
        versionsOfRun={!!runId && !!detail}
        pinnedFiles={detail?.code?.follows === 'pinned' ? detail.code.files : undefined}
        onStart={startRun}
        onStop={stopRun}
      />
      {runError && <ErrorNotice error={runError.error} title={runError.title} />}
      {detailError !== undefined && !detail && (
        <ErrorNotice error={detailError} title={isGone(detailError) ? 'This run is not known to the workbench' : "Could not read the run's state; trying again"} />
      )}
      {codeError && (
        <div className="notice error" role="alert">
          <strong>Run error at {(codeError.t / 1000).toFixed(1)} s: </strong>
          {codeError.message}
          {codeError.file && <code className="where"> ({codeError.file}:{codeError.line ?? '?'}:{codeError.column ?? '?'})</code>}
        </div>
      )}
      {saturationNow && <SaturationNotice reading={saturationNow} past={shownCursor !== null} />}
      <p className="muted lab-summary">{lab.summary}</p>
      {runId && <LabGuide key={runId} lab={lab} runId={runId} faults={controls.faults} nowT={runNow} disabled={!going || !!stream.stopped} />}
      {runId ? (
        <Timeline
          markers={markers}
          start={start}
          end={end}
          cursor={shownCursor}
          paused={paused}
          onPausedChange={pause}
          onCursorChange={setCursor}
          olderNotLoaded={older}
          fullFromT={live.fullFromT}
          ended={!going}
          saturated={saturation.spans}
        />
      ) : (
        <div className="notice start-hint">
          Start a run to drive traffic into <b>{lab.title}</b>: the views below fill in live. Then break a downstream on the right and watch what the
          pattern does.
        </div>
      )}
      <div className="lab-grid">
        <div className="lab-views">
          {lab.views.map((spec, index) => (
            <Fragment key={`${index}-${spec.kind}`}>
              <ViewFrame title={spec.title} description={spec.description} main={index === 0}>
                <GenericView spec={spec} events={viewEvents} revision={viewRevision} lab={lab} patternId={patternId} nowT={nowT} />
              </ViewFrame>
              {/* Right under the main view, always: did anything go wrong? */}
              {index === 0 && (
                <ViewFrame title="Invariants">
                  <InvariantsView events={viewEvents} revision={viewRevision} lab={lab} patternId={patternId} nowT={nowT} />
                </ViewFrame>
              )}
            </Fragment>
          ))}
        </div>
        <aside className="lab-controls" aria-label="Lab controls">
          {tour && twoColumns && <div className="tour-slot beside">{tour}</div>}
          {lab.faultPoints.map((point) => (
            <FaultPanel
              key={`${runId}-${point.id}`}
              point={point}
              spec={controls.faults[point.id]!}
              runId={runId}
              nowT={runNow}
              activeUntil={activeWindow(controls.faults[point.id]!, nowT)?.endsAt}
              disabled={!runId || !going}
            />
          ))}
          <LoadPanel key={`${runId}-load`} runId={runId} profile={controls.load} defaultLoad={lab.defaultLoad} progress={stream.progress} disabled={!runId || !going} />
          <ParamsPanel key={`${runId}-params`} runId={runId} specs={lab.params} params={params} disabled={!runId || !going} />
        </aside>
      </div>
    </div>
  );
};

const isGone = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

/** The versions a new run would start with: each editable file's newest good version. */
const nextVersions = (pattern: PatternDetail): Record<string, number> =>
  Object.fromEntries(pattern.files.map((file) => [file.name, file.goodVersion]));

/** A counter that moves whenever `value` changes identity: the views' `revision`. */
const useRevision = (value: unknown): number => {
  const ref = useRef({ value, revision: 0 });
  if (ref.current.value !== value) ref.current = { value, revision: ref.current.revision + 1 };
  return ref.current.revision;
};
