/**
 * The catalog: a suggested path for a newcomer on top (tracks of patterns,
 * each building on the one before, with where to start), then every pattern,
 * grouped by category across the page's width, with a filter, each one's live
 * state and the learner's four progress marks (lesson, lab, tour, exercises).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { ExerciseSummary, PatternSummary } from '../../../../server/protocol/api.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useLearnerProgress } from '../../progress/hooks.ts';
import { progressOf } from '../../progress/learner-progress.ts';
import { usePageTitle } from '../../usePageTitle.ts';
import { ProgressMenu } from '../exercises/ProgressMenu.tsx';
import { exerciseCounts, groupByCategory, nextStep, progressMarks, suggestedPath, type PathStep, type PathTrack, type ProgressMark } from './catalog.ts';

export const CatalogPage = () => {
  const [patterns, setPatterns] = useState<PatternSummary[]>();
  const [error, setError] = useState<unknown>();
  const [filter, setFilter] = useState('');
  const [exercises, setExercises] = useState<ExerciseSummary[]>();
  // Progress is extra: the catalog shows without it if it does not load.
  const loadExercises = useCallback(() => api.exercises().then(setExercises, () => undefined), []);
  useEffect(() => {
    api.patterns().then(setPatterns, setError);
    void loadExercises();
  }, [loadExercises]);
  const learner = useLearnerProgress();
  const counts = useMemo(() => exerciseCounts(exercises ?? []), [exercises]);
  const marksOf = useCallback((id: string) => progressMarks(progressOf(learner, id), counts.get(id)), [learner, counts]);
  const groups = useMemo(() => groupByCategory(patterns ?? [], filter), [patterns, filter]);
  const path = useMemo(() => suggestedPath(patterns ?? [], marksOf), [patterns, marksOf]);
  usePageTitle('Catalog');

  if (error) return <ErrorNotice error={error} />;
  return (
    <section className="catalog">
      <div className="catalog-head">
        <h1>Backend patterns, live</h1>
        <p className="muted">Pick a pattern, start its lab, break its downstreams and watch what it does. Then change its code.</p>
        <input
          type="search"
          className="filter"
          placeholder="Filter patterns…"
          aria-label="Filter patterns"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          autoFocus
        />
        {exercises && exercises.length > 0 && (
          <ProgressMenu solved={exercises.filter((e) => e.status === 'solved').length} total={exercises.length} onImported={() => void loadExercises()} />
        )}
      </div>
      {!patterns && <p className="muted">Loading…</p>}
      {path.length > 0 && <SuggestedPath path={path} />}
      {patterns && groups.length === 0 && <p className="muted">No pattern matches “{filter}”.</p>}
      <div className="catalog-groups">
        {groups.map(({ category, label, patterns: items }) => (
          <section key={category} className="category">
            <h2>{label}</h2>
            <ul className="cards">
              {items.map((p) => (
                <li key={p.id}>
                  <Link href={`/patterns/${p.id}`} className="card">
                    <span className="card-top">
                      <span className="card-title">{p.title}</span>
                      {p.liveRuns.length > 0 ? (
                        <span className="badge live">● {p.liveRuns.length === 1 ? 'run going' : `${p.liveRuns.length} runs going`}</span>
                      ) : (
                        <span className="badge">idle</span>
                      )}
                    </span>
                    <span className="card-summary">{p.summary}</span>
                    <Marks marks={marksOf(p.id)} />
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
};

const SIGN: Record<ProgressMark['state'], string> = { done: '✓', todo: '○', none: '–' };

/** The four marks, each a sign and its words (the words carry the meaning; sign and colour repeat it). */
const Marks = ({ marks }: { marks: readonly ProgressMark[] }) => (
  <span className="card-marks" role="list" aria-label="Your progress">
    {marks.map((mark) => (
      <span key={mark.key} role="listitem" className={`card-mark mark-${mark.key} ${mark.state}`}>
        <span className="card-mark-sign" aria-hidden="true">
          {SIGN[mark.state]}
        </span>{' '}
        {mark.key === 'exercises' && mark.state !== 'none' ? (
          <span className={`badge exercises ${mark.state === 'done' ? 'solved' : ''}`} title="Exercises solved">
            {mark.text}
          </span>
        ) : (
          <span className="card-mark-text">{mark.text}</span>
        )}
      </span>
    ))}
  </span>
);

/** The newcomer's path: tracks in order, each an ordered list of linked steps with their done state, and where to start. */
const SuggestedPath = ({ path }: { path: readonly PathTrack[] }) => {
  const next = nextStep(path);
  return (
    <section className="suggested-path" aria-labelledby="suggested-path-title">
      <div className="suggested-path-head">
        <h2 id="suggested-path-title">Suggested path</h2>
        <p className="muted">
          New here? Follow a track in order: each pattern builds on the one before.{' '}
          {next ? (
            <>
              Start here: <b>{next.title}</b>.
            </>
          ) : (
            'You have done every pattern on the path.'
          )}
        </p>
      </div>
      <ol className="path-tracks">
        {path.map((track) => (
          <li key={track.id} className="path-track">
            <h3 className="path-track-title">{track.title}</h3>
            <p className="muted path-track-why">{track.why}</p>
            <ol className="path-steps">
              {track.steps.map((step, index) => (
                <Step key={step.patternId} step={step} index={index} start={step === next} />
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
};

const Step = ({ step, index, start }: { step: PathStep; index: number; start: boolean }) => (
  <li className={`path-step ${step.done ? 'done' : ''} ${start ? 'start' : ''}`} aria-current={start ? 'step' : undefined}>
    <span className={`tick small ${step.done ? 'done' : ''} ${start ? 'current' : ''}`} aria-hidden="true">
      {step.done ? '✓' : index + 1}
    </span>
    <Link href={`/patterns/${step.patternId}`} className="path-step-link">
      {step.title}
    </Link>
    <span className="path-step-state small">
      {step.done ? 'done' : `${step.progress.done} / ${step.progress.total} marks`}
      {start && <span className="path-start"> · start here</span>}
    </span>
  </li>
);
