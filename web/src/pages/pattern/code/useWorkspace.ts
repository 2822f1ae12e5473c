/**
 * Loads a pattern's workspace once Monaco is there: the kit and pattern
 * sources as shipped and each editable file as the learner last saved it (both
 * from the API; the saved files take the shipped ones' place).
 * Also keeps each editable file's server state (version, good version, error)
 * and the set of files with unsaved edits.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { FileState, PatternDetail } from '../../../../../server/protocol/api.ts';
import { api } from '../../../api/client.ts';
import type { Monaco } from './monaco-setup.ts';
import { loadPatternSources } from './sources.ts';
import { syncTypeScriptModels } from './useMonaco.ts';
import { PatternWorkspace } from './workspace.ts';

export type FileStates = Record<string, FileState>;

const noSubscription = () => () => undefined;
const nothingDirty = () => '';

export const useWorkspace = (monaco: Monaco | undefined, pattern: PatternDetail) => {
  const [workspace, setWorkspace] = useState<PatternWorkspace>();
  const [files, setFiles] = useState<FileStates>({});
  const [error, setError] = useState<unknown>();
  const patternId = pattern.id;
  const editableFiles = pattern.editableFiles.join('\n');

  useEffect(() => {
    if (!monaco) return;
    let cancelled = false;
    let created: PatternWorkspace | undefined;
    const names = editableFiles.split('\n');
    Promise.all([loadPatternSources(patternId), Promise.all(names.map((name) => api.file(patternId, name)))]).then(
      async ([sources, states]) => {
        if (cancelled) return;
        const workspace = (created = new PatternWorkspace(monaco, patternId, sources, states));
        // Before an editor shows a model: the first check must see the files it imports.
        await syncTypeScriptModels(workspace.allModels());
        if (cancelled) return;
        setFiles(Object.fromEntries(states.map((s) => [s.file, s])));
        setWorkspace(workspace);
      },
      (e: unknown) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
      setWorkspace(undefined);
      // After this commit's other clean-ups: the editors showing these models are disposed first.
      const disposing = created;
      if (disposing) queueMicrotask(() => disposing.dispose());
    };
  }, [monaco, patternId, editableFiles]);

  const dirtyList = useSyncExternalStore(workspace?.subscribe ?? noSubscription, workspace?.dirtyFiles ?? nothingDirty);
  const dirty = new Set(dirtyList ? dirtyList.split('\n') : []);

  /** Re-reads one file's server state (after a save, reset or restore); returns it. */
  const refreshFile = useCallback(
    async (name: string): Promise<FileState> => {
      const state = await api.file(patternId, name);
      setFiles((current) => ({ ...current, [name]: state }));
      return state;
    },
    [patternId],
  );

  return { workspace, files, dirty, error, refreshFile };
};
