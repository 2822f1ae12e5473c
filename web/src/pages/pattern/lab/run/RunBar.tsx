/** The run's controls: which lab, Start / Stop, and the run's state and connection. */
import type { LabManifest } from '../../../../../../patterns/kit/index.ts';
import type { ControlsState } from '../labState.ts';

export interface RunBarProps {
  labs: readonly LabManifest[];
  labId: string;
  onLabChange: (labId: string) => void;
  state: ControlsState['state'];
  runId: string | undefined;
  busy: boolean;
  connected: boolean;
  eventCount: number;
  /** Events the server dropped for this page because it fell behind, in all and by type. */
  dropped: number;
  droppedByType: Record<string, number>;
  /** The code version each editable file runs (0: the reference). */
  versions: Record<string, number>;
  /** True: the run's own versions; false: what a new run would start with. */
  versionsOfRun: boolean;
  /** Set when the run runs code pinned at its start (the exercise's code) instead of the pattern's files. */
  pinnedFiles?: readonly string[] | undefined;
  onStart: () => void;
  onStop: () => void;
}

const STATE_LABELS: Record<ControlsState['state'], string> = {
  none: 'no run yet',
  starting: 'starting…',
  running: 'running',
  stopped: 'stopped',
  error: 'ended with an error',
};

/**
 * What the server dropped for this page, in a phrase: "1,240 events dropped to keep up (request 1,100,
 * log 140)", the types most dropped first, so the learner knows which views may be missing rows.
 */
export const describeDropped = (dropped: number, byType: Record<string, number>): string => {
  const types = Object.entries(byType)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([type, count]) => `${type} ${count.toLocaleString()}`);
  const total = `${dropped.toLocaleString()} ${dropped === 1 ? 'event' : 'events'} dropped to keep up`;
  return types.length > 0 ? `${total} (${types.join(', ')})` : total;
};

export const RunBar = ({ labs, labId, onLabChange, state, runId, busy, connected, eventCount, dropped, droppedByType, versions, versionsOfRun, pinnedFiles, onStart, onStop }: RunBarProps) => {
  const going = state === 'running' || state === 'starting';
  return (
    <div className="run-bar">
      <label className="lab-choice">
        <span className="muted small">Lab</span>
        {labs.length > 1 ? (
          <select value={labId} onChange={(e) => onLabChange(e.target.value)} disabled={going || busy} title={going ? 'Stop the run to switch labs' : 'Choose a lab'}>
            {labs.map((lab) => (
              <option key={lab.id} value={lab.id}>
                {lab.title}
              </option>
            ))}
          </select>
        ) : (
          <strong>{labs[0]?.title}</strong>
        )}
      </label>
      {going ? (
        <button type="button" className="danger" onClick={onStop} disabled={busy || !runId}>
          ■ Stop run
        </button>
      ) : (
        <button type="button" className="primary" onClick={onStart} disabled={busy}>
          ▶ {state === 'none' ? 'Start run' : 'Start a new run'}
        </button>
      )}
      <span className={`run-state ${state}`} role="status">
        <span className="dot" /> {STATE_LABELS[state]}
        {pinnedFiles && pinnedFiles.length > 0 && (
          <span
            className="run-pinned"
            title={`This run runs the code it was started with (${pinnedFiles.join(', ')}), not the pattern's saved files: saving on the Code tab does not change it. Start a new run for the pattern's code.`}
          >
            {going ? ' your exercise code (pinned)' : ' · your exercise code (pinned)'}
          </span>
        )}
      </span>
      <CodeVersions versions={versions} ofRun={versionsOfRun} />
      {runId && (
        <span className="muted small run-meta">
          <code>{runId}</code> · {eventCount.toLocaleString()} events in view
          {going && !connected && <span className="warn-text"> · reconnecting…</span>}
          {dropped > 0 && (
            <span
              className="warn-text"
              title="This page fell behind the run, so the server skipped events of the types its pattern declares droppable (requests, logs, retries…) rather than hold them. State changes and the metrics are kept, so the charts' counts stay right; tables may miss rows."
            >
              {' '}
              · {describeDropped(dropped, droppedByType)}
            </span>
          )}
        </span>
      )}
    </div>
  );
};

/** Which code the run runs: each editable file's version. */
const CodeVersions = ({ versions, ofRun }: { versions: Record<string, number>; ofRun: boolean }) => {
  const files = Object.entries(versions);
  if (files.length === 0) return null;
  return (
    <span
      className="small run-versions"
      aria-label="Code versions"
      title={ofRun ? 'The code this run is running (v0: the reference)' : 'The code a new run starts with (v0: the reference)'}
    >
      <span className="muted">{ofRun ? 'running' : 'will run'}</span>{' '}
      {files.map(([file, version], i) => (
        <span key={file} className="run-version">
          {i > 0 && ', '}
          <code style={{ fontSize: '0.8rem' }}>{file}</code> {version === 0 ? 'reference' : `v${version}`}
        </span>
      ))}
    </span>
  );
};
