/**
 * What the last check run said: the overall status, a compile or load error
 * with its file:line, then every check under its task with its status and
 * message.
 */
import type { CheckOutcome } from '../../../../server/protocol/api.ts';
import { groupByTask, locationOf, summarise, type ResultsShape } from './exercise-state.ts';
import { InlineProse } from './Prose.tsx';

const STATUS_ICON: Record<CheckOutcome['status'], string> = { pass: '✓', fail: '✗', error: '!' };

interface ResultsPanelProps {
  results: ResultsShape | undefined;
  /** Whether the results come from this page's run or from the learner's last attempt (an earlier visit). */
  origin: 'run' | 'last-attempt';
  tasks: ReadonlyArray<{ number: number; title: string }>;
  checking: boolean;
  /** Reveals a line of the learner's file; undefined when the location is in another file. */
  onReveal: (where: { file?: string; line?: number; column?: number }) => (() => void) | undefined;
}

const Location = ({ where, onReveal }: { where: { file?: string; line?: number; column?: number }; onReveal: ResultsPanelProps['onReveal'] }) => {
  const text = locationOf(where);
  if (!text) return null;
  const reveal = onReveal(where);
  return reveal ? (
    <button type="button" className="location-link" onClick={reveal} title="Show this line in the editor">
      {text}
    </button>
  ) : (
    <code className="location">{text}</code>
  );
};

export const ResultsPanel = ({ results, origin, tasks, checking, onReveal }: ResultsPanelProps) => {
  if (!results) {
    return (
      <section className="results empty-results" aria-label="Check results">
        <p className="muted">
          {checking ? 'Running the checks…' : 'Run the checks to see which tasks pass: the button above, F2, or Ctrl/Cmd+Enter.'}
        </p>
      </section>
    );
  }
  const groups = groupByTask(tasks, results.tests);
  return (
    <section className={`results ${checking ? 'stale' : ''}`} aria-label="Check results" aria-busy={checking}>
      <header className={`results-head ${results.status}`} role="status">
        <span className={`status-pill ${results.status}`}>{results.status}</span>
        <strong className="results-summary">{results.status === 'error' ? 'Your code could not be checked' : summarise(results)}</strong>
        <span className="muted small">
          {checking
            ? 'running the checks again…'
            : origin === 'last-attempt'
              ? 'from your last attempt'
              : results.durationMs > 0 && `in ${Math.round(results.durationMs)} ms`}
        </span>
      </header>
      {results.status === 'error' && (
        <div className="notice error results-error" role="alert">
          {results.message ?? 'The code did not compile, load or finish.'} <Location where={results} onReveal={onReveal} />
        </div>
      )}
      {groups.map((group) =>
        group.checks.length === 0 ? null : (
          <div key={group.task} className={`result-group ${group.passed ? 'passed' : ''}`}>
            <h4>
              <span className={`tick small ${group.passed ? 'done' : 'failed'}`} aria-hidden="true">
                {group.passed ? '✓' : '✗'}
              </span>
              {group.task > 0 ? (
                <span>
                  Task {group.task}: <InlineProse>{group.title}</InlineProse>
                </span>
              ) : (
                group.title
              )}
            </h4>
            <ul className="checks">
              {group.checks.map((check, i) => (
                <li key={`${check.name}-${i}`} className={`check ${check.status}`}>
                  <span className="check-icon" aria-label={check.status}>
                    {STATUS_ICON[check.status]}
                  </span>
                  <div className="check-text">
                    <span className="check-name">{check.name}</span>
                    {check.message && (
                      <span className="check-message">
                        {check.message} <Location where={check} onReveal={onReveal} />
                      </span>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
};
