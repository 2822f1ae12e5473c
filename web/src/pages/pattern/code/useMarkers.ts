/**
 * Server-side errors as Monaco markers, beside the type errors the TypeScript
 * worker reports as you type: a version that did not compile or load (its
 * file/line/column, on whichever file it names), and the live run's runtime
 * errors since that file was last saved or deployed.
 */
import { useEffect, useMemo } from 'react';
import type { TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import type { LiveRun } from '../../../api/live.ts';
import { errorToMarker, runtimeErrorsFor, type MarkerData } from './markers.ts';
import type { Monaco } from './monaco-setup.ts';
import type { FileStates } from './useWorkspace.ts';
import type { PatternWorkspace } from './workspace.ts';

const SAVE_OWNER = 'workbench-save';
const RUN_OWNER = 'workbench-run';

export type RuntimeErrors = Record<string, Array<TelemetryOf<'run.error'>>>;

export const useMarkers = (
  monaco: Monaco | undefined,
  workspace: PatternWorkspace | undefined,
  files: FileStates,
  live: LiveRun,
  savedAt: ReadonlyMap<string, TelemetryEvent | undefined>,
): RuntimeErrors => {
  // Compile and load errors of each file's latest version, placed on the file they name.
  useEffect(() => {
    if (!monaco || !workspace) return;
    const touched = new Set<string>();
    const byModel = new Map<string, { model: NonNullable<ReturnType<PatternWorkspace['model']>>; markers: MarkerData[] }>();
    for (const state of Object.values(files)) {
      if (!state.error) continue;
      const model = workspace.modelForReported(state.error.file) ?? workspace.model(state.file);
      const marker = model && errorToMarker(state.error, model, 'Save & deploy');
      if (!model || !marker) continue;
      const key = model.uri.toString();
      const entry = byModel.get(key) ?? { model, markers: [] };
      entry.markers.push({ ...marker, message: `Not deployed: ${marker.message}` });
      byModel.set(key, entry);
    }
    for (const { model, markers } of byModel.values()) {
      monaco.editor.setModelMarkers(model, SAVE_OWNER, markers);
      touched.add(model.uri.toString());
    }
    return () => {
      for (const model of monaco.editor.getModels()) {
        if (touched.has(model.uri.toString())) monaco.editor.setModelMarkers(model, SAVE_OWNER, []);
      }
    };
  }, [monaco, workspace, files]);

  const patternId = workspace?.patternId;
  const names = Object.keys(files).join('\n');
  // savedAt changes with `files` (a save refreshes its file's state), so `files` stands for it here.
  const runtime = useMemo<RuntimeErrors>(() => {
    if (!patternId) return {};
    const found: RuntimeErrors = {};
    for (const name of names ? names.split('\n') : []) {
      found[name] = runtimeErrorsFor(live.events, patternId, name, savedAt.get(name));
    }
    return found;
  }, [patternId, names, live.events, files]);

  useEffect(() => {
    if (!monaco || !workspace) return;
    for (const [name, errors] of Object.entries(runtime)) {
      const model = workspace.model(name);
      if (!model) continue;
      const markers = errors
        .map((e) => errorToMarker(e, model, 'live run'))
        .filter((m): m is MarkerData => m !== undefined)
        .map((m) => ({ ...m, message: `Runtime error in the live run: ${m.message}` }));
      monaco.editor.setModelMarkers(model, RUN_OWNER, markers);
    }
  }, [monaco, workspace, runtime]);

  return runtime;
};
