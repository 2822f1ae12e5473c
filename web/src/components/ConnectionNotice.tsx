/**
 * What the connection monitor (api/connection.ts) knows, said at the top of every page:
 * nothing while the workbench answers; "not answering — retrying…" while it does not
 * (with the next try and a button to try now); and, once it answers with another token,
 * that it was restarted and which URL to open. Mounting it starts the monitor's heartbeat.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { connection } from '../api/connection.ts';

/** Seconds until `at`, ticking while shown. */
const useSecondsUntil = (at: number | undefined): number | undefined => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
};

export const ConnectionNotice = () => {
  const state = useSyncExternalStore(connection.subscribe, connection.getState);
  useEffect(() => connection.start(window), []);
  const seconds = useSecondsUntil(state.status === 'retrying' ? state.nextTryAt : undefined);

  if (state.status === 'ok') return null;
  if (state.status === 'retrying') {
    return (
      <div className="connection-notice retrying" role="status" aria-live="polite">
        <span className="connection-spinner" aria-hidden="true" />
        <div className="connection-text">
          <strong>The workbench is not answering — retrying…</strong>
          <span className="muted small">
            {' '}
            It was stopped, or it is restarting. This tab carries on by itself when it is back
            {seconds !== undefined && seconds > 0 ? ` (next try in ${seconds} s)` : ''}.
          </span>
        </div>
        <button type="button" onClick={() => void connection.check()}>
          Try now
        </button>
      </div>
    );
  }
  const printed = `${location.origin}/?token=…`;
  return (
    <div className="connection-notice signed-out" role="alert">
      <div className="connection-text">
        <strong>The workbench was restarted with a new token.</strong>{' '}
        <span>
          Open the URL it printed (<code>{printed}</code>) in this tab.
        </span>
        <span className="muted small">
          {' '}
          It prints <code>Workbench ready at {printed}</code> in its terminal when it starts. To keep one URL across restarts, start it
          with a fixed token: <code>npm start -- --token YOUR-TOKEN</code>.
        </span>
      </div>
      <button type="button" onClick={() => void connection.check()} title="Opened the new URL in another tab? Check again">
        Check again
      </button>
    </div>
  );
};
