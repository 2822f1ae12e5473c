/**
 * The exercise's story and its numbered tasks, each ticked once its checks
 * pass, with hints revealed one at a time: general ones, and per task.
 */
import type { ExerciseInstructions } from '../../../../server/protocol/api.ts';
import { revealedHints } from './exercise-state.ts';
import { InlineProse, Prose } from './Prose.tsx';

interface HintsProps {
  label: string;
  hints: readonly string[];
  revealed: number;
  onReveal: () => void;
}

const Hints = ({ label, hints, revealed, onReveal }: HintsProps) => {
  if (hints.length === 0) return null;
  const shown = revealedHints(hints, revealed);
  return (
    <div className="hints">
      {shown.map((hint, i) => (
        <div key={i} className="hint">
          <span className="hint-label">
            Hint {i + 1} of {hints.length}
          </span>
          <Prose>{hint}</Prose>
        </div>
      ))}
      {shown.length < hints.length && (
        // Its name starts with the words it shows (voice control users say what they see), then says which hints.
        <button type="button" className="small-button hint-button" onClick={onReveal}>
          {shown.length === 0 ? (label === 'the whole exercise' ? 'Stuck? Show a hint' : 'Show a hint') : 'Show another hint'}{' '}
          <span className="muted">
            ({shown.length + 1} of {hints.length})
          </span>
          <span className="visually-hidden"> for {label}</span>
        </button>
      )}
    </div>
  );
};

interface InstructionsProps {
  exercise: Pick<ExerciseInstructions, 'intro' | 'tasks' | 'hints'>;
  passed: ReadonlySet<number>;
  /** Hints revealed by section: `general`, `1`, `2`… */
  revealed: Readonly<Record<string, number>>;
  onReveal: (section: string) => void;
}

export const Instructions = ({ exercise, passed, revealed, onReveal }: InstructionsProps) => (
  <div className="instructions">
    <Prose className="story">{exercise.intro}</Prose>
    <Hints label="the whole exercise" hints={exercise.hints.general} revealed={revealed.general ?? 0} onReveal={() => onReveal('general')} />
    <ol className="tasks">
      {exercise.tasks.map((task) => {
        const done = passed.has(task.number);
        return (
          <li key={task.number} className={`task ${done ? 'done' : ''}`} data-task={task.number}>
            <h3>
              <span className={`tick ${done ? 'done' : ''}`} role="img" aria-label={done ? 'passed' : 'not passed yet'}>
                {done ? '✓' : ''}
              </span>
              <span className="task-title">
                {task.number}. <InlineProse>{task.title}</InlineProse>
              </span>
            </h3>
            <Prose>{task.body}</Prose>
            <Hints
              label={`task ${task.number}`}
              hints={exercise.hints.byTask[task.number] ?? []}
              revealed={revealed[String(task.number)] ?? 0}
              onReveal={() => onReveal(String(task.number))}
            />
          </li>
        );
      })}
    </ol>
  </div>
);
