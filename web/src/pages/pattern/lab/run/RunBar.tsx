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
  dropped: number;
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

export const RunBar = ({ labs, labId, onLabChange, state, runId, busy, connected, eventCount, dropped, onStart, onStop }: RunBarProps) => {
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
      </span>
      {runId && (
        <span className="muted small run-meta">
          <code>{runId}</code> · {eventCount.toLocaleString()} events in view
          {going && !connected && <span className="warn-text"> · reconnecting…</span>}
          {dropped > 0 && (
            <span className="warn-text" title="The server skipped request and log events this page could not keep up with; counters from metrics stay right.">
              {' '}
              · {dropped.toLocaleString()} dropped
            </span>
          )}
        </span>
      )}
    </div>
  );
};
