/**
 * Every saved version of the open file, newest first: when, how (saved,
 * reset, restored), whether it failed to compile or load, and which one the
 * runs use. Any version can be compared with the working copy or restored.
 */
import { useEffect, useState } from 'react';
import type { FileVersionInfo } from '../../../../../server/protocol/api.ts';
import { api } from '../../../api/client.ts';
import { ErrorNotice } from '../../../components/ErrorNotice.tsx';
import { describeCodeError, formatWhen } from './markers.ts';

interface VersionHistoryProps {
  patternId: string;
  file: string;
  /** Bumped after every save, reset or restore: the list is fetched again. */
  refreshKey: number;
  /** The version the editor was loaded from or last saved as (0: the reference). */
  current: number | undefined;
  /** The version the runs use (0: the reference). */
  running: number | undefined;
  busy: boolean;
  onView: (version: number) => void;
  onViewReference: () => void;
  onRestore: (version: number) => void;
}

export const VersionHistory = (props: VersionHistoryProps) => {
  const { patternId, file, refreshKey, current, running, busy } = props;
  const [versions, setVersions] = useState<FileVersionInfo[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    setError(undefined);
    api.versions(patternId, file).then(
      (list) => live && setVersions(list),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [patternId, file, refreshKey]);

  return (
    <aside className="version-history" aria-label={`Versions of ${file}`}>
      <h3>
        History <span className="muted">of {file}</span>
      </h3>
      {error !== undefined && <ErrorNotice error={error} />}
      {!versions && error === undefined && <p className="muted">Loading…</p>}
      <ol>
        {versions?.map((v) => (
          <li key={v.version} className={v.version === current ? 'current' : undefined}>
            <div className="version-line">
              <strong>v{v.version}</strong>
              <time dateTime={new Date(v.createdAt).toISOString()} title={new Date(v.createdAt).toLocaleString()}>
                {formatWhen(v.createdAt)}
              </time>
              <span className="badge">{v.origin}</span>
              {v.error && (
                <span className="badge error" title={describeCodeError(v.error)}>
                  error
                </span>
              )}
              {v.version === running && (
                <span className="badge live" title="The version the runs use: the newest one that compiled and loaded">
                  deployed
                </span>
              )}
            </div>
            <div className="version-actions">
              <button type="button" onClick={() => props.onView(v.version)} title={`Compare v${v.version} with your working copy`}>
                view
              </button>
              <button
                type="button"
                disabled={busy || v.version === current}
                onClick={() => props.onRestore(v.version)}
                title={v.version === current ? 'This is the version in the editor' : `Save v${v.version} again as a new version and deploy it`}
              >
                restore
              </button>
            </div>
          </li>
        ))}
        {versions && (
          <li className={current === 0 ? 'current' : undefined}>
            <div className="version-line">
              <strong>reference</strong>
              <span className="muted">as shipped</span>
              {running === 0 && <span className="badge live">deployed</span>}
            </div>
            <div className="version-actions">
              <button type="button" onClick={props.onViewReference} title="Compare the reference with your working copy">
                view
              </button>
            </div>
          </li>
        )}
      </ol>
      {versions?.length === 0 && <p className="muted">No saved versions yet: the editor holds the reference.</p>}
    </aside>
  );
};
