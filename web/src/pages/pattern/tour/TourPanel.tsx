/**
 * The guided tour beside the live lab: its steps, ticked in order as the
 * run's events show what each asks for; the current step's instruction; and,
 * once a step is done, what just happened and why.
 */
import '../../../styles/exercises.css';
import { useEffect, useMemo, useRef } from 'react';
import { useParams } from 'wouter';
import type { PatternDetail, Tour } from '../../../../../server/protocol/api.ts';
import type { LiveRun } from '../../../api/live.ts';
import { markProgress } from '../../../progress/learner-progress.ts';
import { Prose } from '../../exercises/Prose.tsx';
import { blockedHint, runStateNow } from './tour-blocked.ts';
import { needed, tourProgress, type StepProgress } from './tour-progress.ts';
import type { TourSession } from './useTourSession.ts';

interface TourPanelProps {
  tour: Tour;
  labs: PatternDetail['labs'];
  runId: string | undefined;
  live: LiveRun;
  session: TourSession;
}

/** "2 of 3" per matcher that needs more than one event, for the current step. */
const countsText = (step: StepProgress): string | undefined => {
  const parts = step.step.until.map((m, i) => (needed(m) > 1 ? `${step.counts[i]} of ${needed(m)}` : undefined)).filter(Boolean);
  return parts.length > 0 ? `seen so far: ${parts.join(', ')}` : undefined;
};

/** `latest`: the step done last, whose explanation is open; earlier ones fold theirs away to keep the current step near. */
/** `blocked`: for the current step, what to do because the run's current state keeps it from progressing. */
const Step = ({ step, latest, blocked }: { step: StepProgress; latest: boolean; blocked?: string | undefined }) => (
  <li className={`tour-step ${step.state}`} data-step={step.index + 1} aria-current={step.state === 'current' ? 'step' : undefined}>
    <div className="tour-step-head">
      <span className={`tick ${step.state === 'done' ? 'done' : ''} ${step.state === 'current' ? 'current' : ''}`} role="img" aria-label={step.state === 'done' ? 'done' : step.state}>
        {step.state === 'done' ? '✓' : step.index + 1}
      </span>
      <span className="tour-step-title">{step.step.title}</span>
      {step.doneAt !== undefined && <span className="muted small tour-step-time">at {(step.doneAt / 1000).toFixed(1)} s</span>}
    </div>
    {step.state === 'current' && (
      <div className="tour-step-body">
        <Prose>{step.step.instruction}</Prose>
        {countsText(step) && <p className="muted small tour-counts">{countsText(step)}</p>}
        {blocked && (
          <div className="notice tour-blocked" role="note" aria-label="Why this step is not progressing">
            <Prose>{blocked}</Prose>
          </div>
        )}
      </div>
    )}
    {step.state === 'done' &&
      (latest ? (
        <div className="tour-step-body explanation">
          <Prose>{step.step.explanation}</Prose>
        </div>
      ) : (
        <details className="tour-step-body explanation">
          <summary className="muted small">What happened</summary>
          <Prose>{step.step.explanation}</Prose>
        </details>
      ))}
  </li>
);

export const TourPanel = ({ tour, labs, runId, live, session }: TourPanelProps) => {
  const { startT, run } = session;
  const onTourLab = run !== undefined && run.lab === tour.lab;
  const tracking = runId !== undefined && onTourLab && startT !== undefined;
  // Steps done so far on this run and start: the page keeps a bounded window of events, and a
  // step must not come undone when the events that completed it fall out of it.
  const checkpoint = useRef<{ key: string; doneAt: number[] }>({ key: '', doneAt: [] });
  const progress = useMemo(() => {
    const key = `${runId}@${startT}`;
    if (checkpoint.current.key !== key) checkpoint.current = { key, doneAt: [] };
    const events = tracking ? live.events : [];
    let result = tourProgress(tour, events, startT ?? 0, runId);
    if (result.done < checkpoint.current.doneAt.length) result = tourProgress(tour, events, startT ?? 0, runId, checkpoint.current.doneAt);
    checkpoint.current.doneAt = result.steps.filter((s) => s.state === 'done').map((s) => s.doneAt!);
    return result;
    // live.revision moves with every batch; the events array may be the same object between batches.
  }, [tour, tracking, live.events, live.revision, startT, runId]);
  // The last step ticked: the tour counts as done for this pattern in the catalog.
  const patternId = useParams<{ id?: string }>().id;
  useEffect(() => {
    if (progress.complete && patternId) markProgress(patternId, 'tourDone');
  }, [progress.complete, patternId]);
  const tourLab = labs.find((l) => l.id === tour.lab);
  const labTitle = tourLab?.title ?? tour.lab;
  // What keeps the current step from progressing in the run's current state (faults, load, params), if anything.
  const currentStep = progress.current === undefined ? undefined : tour.steps[progress.current];
  const blocked = useMemo(
    () => (tracking && run?.live && currentStep?.blockedWhen ? blockedHint(currentStep, runStateNow(live.events, runId, tourLab)) : undefined),
    // live.revision moves with every batch, as above.
    [tracking, run?.live, currentStep, live.events, live.revision, runId, tourLab],
  );

  // A step just completed: bring the new current step into the panel's view. Only the panel
  // scrolls (scrollIntoView would move the whole page away from the lab the learner watches).
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    const box = panel.current;
    const step = box?.querySelector<HTMLElement>('[aria-current="step"]');
    if (!box || !step || box.scrollHeight <= box.clientHeight) return;
    const top = step.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop || top + step.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTo({ top: Math.max(0, top - 8), behavior: 'smooth' });
    }
  }, [progress.done]);

  return (
    <section className="tour-panel panel" aria-label="Guided tour" ref={panel}>
      <header className="tour-head">
        <span className="tour-kicker">Guided tour</span>
        <div className="tour-actions">
          {tracking && progress.done > 0 && (
            <button type="button" className="small-button" onClick={session.restart} title="Start the tour again from the first step, counting from now">
              Restart
            </button>
          )}
          <button type="button" className="small-button" onClick={() => session.setOpen(false)}>
            Hide tour
          </button>
        </div>
      </header>
      <h2 className="tour-title">{tour.title}</h2>
      {progress.done === 0 ? (
        <Prose className="tour-intro">{tour.intro}</Prose>
      ) : (
        <details className="tour-intro-details">
          <summary className="muted small">About this tour</summary>
          <Prose className="tour-intro">{tour.intro}</Prose>
        </details>
      )}
      {!runId || !run ? (
        <p className="notice tour-wait">Start a run of <b>{labTitle}</b> (▶ Start run) and the tour follows it.</p>
      ) : !onTourLab ? (
        <p className="notice tour-wait">This tour runs on the <b>{labTitle}</b> lab: stop this run and start one of that lab.</p>
      ) : !run.live ? (
        <p className="notice tour-wait">This run has ended: start a new run to go on with the tour.</p>
      ) : null}
      <p className="muted small tour-count" role="status">
        {progress.complete ? 'Tour complete: every step done.' : `${progress.done} of ${tour.steps.length} steps done`}
      </p>
      <ol className="tour-steps">
        {progress.steps.map((step) => (
          <Step key={step.index} step={step} latest={step.state === 'done' && step.index === progress.done - 1} blocked={step.state === 'current' ? blocked : undefined} />
        ))}
      </ol>
    </section>
  );
};

/** The hidden tour's one-line invitation above the lab. */
export const TourInvite = ({ tour, onStart }: { tour: Tour; onStart: () => void }) => (
  <div className="tour-invite">
    <span>
      <span className="tour-kicker">Guided tour</span> <b>{tour.title}</b> <span className="muted">· {tour.steps.length === 1 ? '1 step, ticked' : `${tour.steps.length} steps, each ticked`} as the run shows it</span>
    </span>
    <button type="button" className="primary small-button" onClick={onStart}>
      Start tour
    </button>
  </div>
);
