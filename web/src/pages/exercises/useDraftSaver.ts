/**
 * Saves the learner's code as they type: into this browser's localStorage (a
 * fallback that survives a workbench that is down) a moment after each
 * change, and, debounced a little longer, as the exercise's draft on the
 * workbench. Both are written at once when the page is left. A change costs
 * only a timer reset: an edit can arrive per character (a paste typed in).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { editor } from 'monaco-editor/editor';
import { api } from '../../api/client.ts';
import { localDraftKey, parseLocalDraft, type LocalDraft } from './exercise-state.ts';

const LOCAL_DEBOUNCE_MS = 250;
const DEBOUNCE_MS = 800;

export type SaveState = { kind: 'saved' } | { kind: 'pending' } | { kind: 'saving' } | { kind: 'local'; message: string };

export const readLocalDraft = (exerciseId: string): LocalDraft | undefined => {
  try {
    return parseLocalDraft(localStorage.getItem(localDraftKey(exerciseId)));
  } catch {
    return undefined;
  }
};

const writeLocalDraft = (exerciseId: string, draft: LocalDraft): void => {
  try {
    localStorage.setItem(localDraftKey(exerciseId), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the workbench's draft is the copy that counts.
  }
};

/** Follows `model`; `unsynced` starts a save at once (code restored from this browser). */
export const useDraftSaver = (exerciseId: string, model: editor.ITextModel | undefined, unsynced: boolean) => {
  const [state, setState] = useState<SaveState>({ kind: 'saved' });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const localTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** The model with changes not yet sent; read when the timers fire. */
  const pending = useRef<editor.ITextModel | undefined>(undefined);
  const localPending = useRef<editor.ITextModel | undefined>(undefined);

  const keepLocally = useCallback(() => {
    clearTimeout(localTimer.current);
    const model = localPending.current;
    localPending.current = undefined;
    if (model && !model.isDisposed()) writeLocalDraft(exerciseId, { code: model.getValue(), savedAt: Date.now(), synced: false });
  }, [exerciseId]);

  const send = useCallback(async () => {
    clearTimeout(timer.current);
    keepLocally();
    const model = pending.current;
    pending.current = undefined;
    if (!model || model.isDisposed()) return;
    const code = model.getValue();
    setState({ kind: 'saving' });
    try {
      await api.saveDraft(exerciseId, code);
      // Newer typing may have been stored meanwhile: mark synced only the code just sent.
      const local = readLocalDraft(exerciseId);
      if (local?.code === code) writeLocalDraft(exerciseId, { ...local, synced: true });
      setState(pending.current === undefined ? { kind: 'saved' } : { kind: 'pending' });
    } catch (error) {
      setState({ kind: 'local', message: error instanceof Error ? error.message : String(error) });
    }
  }, [exerciseId, keepLocally]);

  const schedule = useCallback(
    (model: editor.ITextModel) => {
      if (!pending.current) setState((s) => (s.kind === 'local' ? s : { kind: 'pending' }));
      pending.current = model;
      localPending.current = model;
      clearTimeout(localTimer.current);
      localTimer.current = setTimeout(keepLocally, LOCAL_DEBOUNCE_MS);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void send(), DEBOUNCE_MS);
    },
    [keepLocally, send],
  );

  useEffect(() => {
    if (!model) return;
    if (unsynced) schedule(model);
    const subscription = model.onDidChangeContent(() => schedule(model));
    const onHide = () => void send();
    window.addEventListener('pagehide', onHide);
    return () => {
      subscription.dispose();
      window.removeEventListener('pagehide', onHide);
      // Leaving the page (another route): what is pending goes now.
      void send();
    };
  }, [model, unsynced, schedule, send]);

  /** Sends what is pending now (before a check or a trip to the lab). */
  const flush = useCallback(() => send(), [send]);
  return { state, flush };
};
