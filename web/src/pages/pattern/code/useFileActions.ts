/**
 * Save & deploy, reset to the reference and restore a version: each stores a
 * new version on the server and redeploys it into the live runs. The answer
 * becomes a one-line status; a 422 (the version does not compile or load) is
 * still a stored version, and its error becomes a marker through the file's
 * refreshed state.
 */
import { useRef, useState } from 'react';
import type { TelemetryEvent } from '../../../../../patterns/kit/index.ts';
import type { CodeError, SaveResult } from '../../../../../server/protocol/api.ts';
import { api, ApiError } from '../../../api/client.ts';
import { codeErrorOf, describeCodeError, describeSave } from './markers.ts';
import type { PatternWorkspace } from './workspace.ts';
import type { useWorkspace } from './useWorkspace.ts';

export interface Status {
  kind: 'busy' | 'ok' | 'error';
  text: string;
}

interface Options {
  workspace: PatternWorkspace | undefined;
  refreshFile: ReturnType<typeof useWorkspace>['refreshFile'];
  /** The newest event of the live run: runtime errors before it belong to older code. */
  lastEvent: () => TelemetryEvent | undefined;
  onSaved: () => void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useFileActions = ({ workspace, refreshFile, lastEvent, onSaved }: Options) => {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>();
  const savedAt = useRef(new Map<string, TelemetryEvent | undefined>());

  /** One action: call the server, then bring the file's state (and, for reset/restore, its text) up to date. */
  const act = async (file: string, [doing, verb]: [string, string], call: () => Promise<SaveResult>, sentContent?: string) => {
    if (!workspace || busy) return;
    setBusy(true);
    setStatus({ kind: 'busy', text: `${doing} ${file}…` });
    const before = lastEvent();
    let result: SaveResult | undefined;
    let failure: CodeError | undefined;
    try {
      result = await call();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 422)) {
        setStatus({ kind: 'error', text: `${file} was not saved: ${messageOf(error)}` });
        setBusy(false);
        return;
      }
      failure = codeErrorOf(error.body, error.message);
    }
    try {
      savedAt.current.set(file, before);
      const state = await refreshFile(file);
      if (sentContent !== undefined) workspace.markSaved(file, sentContent, state.version);
      else workspace.replace(file, state.content, state.version);
      const running = state.goodVersion === 0 ? 'the reference' : `v${state.goodVersion}`;
      setStatus(
        result
          ? { kind: 'ok', text: describeSave(result, verb) }
          : { kind: 'error', text: `${verb} v${state.version}, not deployed (runs keep ${running}): ${describeCodeError(failure!)}` },
      );
      onSaved();
    } catch (error) {
      setStatus({ kind: 'error', text: `Saved, but the file could not be re-read: ${messageOf(error)}` });
    } finally {
      setBusy(false);
    }
  };

  const patternId = workspace?.patternId ?? '';
  return {
    busy,
    status,
    setStatus,
    savedAt: savedAt.current as ReadonlyMap<string, TelemetryEvent | undefined>,
    save: (file: string) => {
      const content = workspace?.model(file)?.getValue();
      if (content === undefined) return;
      void act(file, ['Saving', 'Saved'], () => api.saveFile(patternId, file, content), content);
    },
    reset: (file: string) =>
      void act(file, ['Resetting', 'Reset to the reference as'], () => api.resetFile(patternId, file)),
    restore: (file: string, version: number) =>
      void act(file, [`Restoring v${version} of`, `Restored v${version} as`], () => api.restore(patternId, file, version)),
  };
};
