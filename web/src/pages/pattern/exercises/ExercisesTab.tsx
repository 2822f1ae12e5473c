/**
 * The pattern's exercises: each with its difficulty, tasks passed and status
 * (noting a solution viewed before solving), linking to its page.
 */
import '../../../styles/exercises.css';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { ExerciseSummary } from '../../../../../server/protocol/api.ts';
import { api } from '../../../api/client.ts';
import { ErrorNotice } from '../../../components/ErrorNotice.tsx';
import { solutionViewedNote } from '../../exercises/exercise-state.ts';

const STATUS_TEXT: Record<ExerciseSummary['status'], string> = { new: 'new', started: 'started', solved: 'solved' };

export const ExercisesTab = ({ patternId }: { patternId: string }) => {
  const [exercises, setExercises] = useState<ExerciseSummary[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    api.patternExercises(patternId).then(
      (list) => live && setExercises(list),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [patternId]);

  if (error) return <ErrorNotice error={error} title="Could not load the exercises" />;
  if (!exercises) return <p className="muted">Loading…</p>;
  if (exercises.length === 0) return <p className="muted exercises-empty">This pattern has no exercises yet.</p>;
  const solved = exercises.filter((e) => e.status === 'solved').length;
  return (
    <section className="exercises-tab">
      <p className="muted">
        Each exercise gives you a flawed version of one of the pattern’s files and tasks to fix it; checks run your code on a virtual clock.{' '}
        <strong>
          {solved} of {exercises.length} solved.
        </strong>
      </p>
      <ul className="exercise-list">
        {exercises.map((e) => {
          const viewed = solutionViewedNote(e.status, e.solutionViewed);
          return (
            <li key={e.id}>
              <Link href={`/exercises/${encodeURIComponent(e.id)}`} className={`exercise-card ${e.status}`}>
                <span className="exercise-card-title">{e.title}</span>
                <span className={`badge difficulty ${e.difficulty}`}>{e.difficulty}</span>
                <span className="exercise-card-tasks" title="Tasks whose checks pass">
                  {e.tasksPassed.length} / {e.tasks} tasks
                </span>
                <span className={`badge status ${e.status}`}>{STATUS_TEXT[e.status]}</span>
                <span className="muted small">
                  edits <code>{e.file}</code>
                </span>
                {viewed && (
                  <span className="exercise-card-viewed small" title="You viewed the solution before solving this exercise">
                    {viewed}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
};
