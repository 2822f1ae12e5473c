/**
 * One exercise, `/exercises/:id`: its header (pattern, difficulty, status,
 * and whether the solution was viewed before it was solved) above the
 * working area. The editor starts from the learner's draft, else their last
 * checked code, else the starter.
 */
import '../../styles/exercises.css';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { ExerciseInstructions, ExerciseStatus } from '../../../../server/protocol/api.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { categoryLabel } from '../catalog/catalog.ts';
import { afterSolutionShown, initialCode, solutionViewedNote, type CodeSource, type ShownProgress } from './exercise-state.ts';
import { ExerciseWorkbench } from './ExerciseWorkbench.tsx';
import { readLocalDraft } from './useDraftSaver.ts';

interface Loaded {
  exercise: ExerciseInstructions;
  start: { code: string; source: CodeSource };
  patternTitle: string;
  /** The catalog's word for the pattern's category, when the patterns loaded. */
  category?: string;
}

const STATUS_LABELS: Record<ExerciseStatus, string> = { new: 'new', started: 'started', solved: 'solved' };

export default function ExercisePage({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  const [progress, setProgress] = useState<ShownProgress>({ status: 'new', solutionViewed: false });

  useEffect(() => {
    let live = true;
    setLoaded(undefined);
    setError(undefined);
    Promise.all([api.exercise(id), api.patterns().catch(() => [])]).then(
      ([exercise, patterns]) => {
        if (!live) return;
        const pattern = patterns.find((p) => p.id === exercise.patternId);
        const patternTitle = pattern?.title ?? exercise.patternId;
        setLoaded({ exercise, start: initialCode(exercise, readLocalDraft(exercise.id)), patternTitle, ...(pattern && { category: categoryLabel(pattern.category) }) });
        setProgress({ status: exercise.status, solutionViewed: exercise.solutionViewed ?? exercise.progress?.solutionViewed ?? false });
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id]);

  usePageTitle(loaded ? `Exercise: ${loaded.exercise.title}` : error ? `Exercise ${id}` : undefined, loaded?.patternTitle);

  if (error) return <ErrorNotice error={error} title={`Could not load the exercise ${id}`} />;
  if (!loaded) return <p className="muted">Loading…</p>;
  const { exercise, start, patternTitle, category } = loaded;
  const { status } = progress;
  const viewed = solutionViewedNote(status, progress.solutionViewed);
  return (
    <article className="exercise-page">
      <header className="exercise-head">
        <div className="breadcrumb">
          <Link href="/" className="muted">
            Catalog
          </Link>
          <span className="muted"> / </span>
          {category && <span className="muted breadcrumb-category">{category} / </span>}
          <Link href={`/patterns/${exercise.patternId}`}>{patternTitle}</Link>
          <span className="muted"> / </span>
          <Link href={`/patterns/${exercise.patternId}/exercises`}>Exercises</Link>
        </div>
        <div className="exercise-title">
          <h1>{exercise.title}</h1>
          <span className={`badge difficulty ${exercise.difficulty}`}>{exercise.difficulty}</span>
          <span className={`badge status ${status}`} data-testid="exercise-status">
            {STATUS_LABELS[status]}
          </span>
          {viewed && (
            <span className="badge solution-viewed" data-testid="exercise-solution-viewed" title="You viewed the solution before solving this exercise">
              {viewed}
            </span>
          )}
          <span className="muted small">
            edits <code>{exercise.file}</code>
          </span>
        </div>
      </header>
      <ExerciseWorkbench
        key={exercise.id}
        exercise={exercise}
        start={start}
        onProgress={setProgress}
        onSolutionShown={(solutionViewed) => setProgress((current) => afterSolutionShown(current, solutionViewed))}
      />
    </article>
  );
}
