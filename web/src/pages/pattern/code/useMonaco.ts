/**
 * React hooks around Monaco: loading it lazily, following the app theme, and
 * the lifetimes of the code editor and the diff editor (each created once per
 * mount and disposed on unmount; models belong to the workspace).
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { editor } from 'monaco-editor/editor';
import { TAB_FOCUS_KEYS } from '../../../components/shortcuts.ts';
import { themeColor, useAppTheme } from '../learn/theme.ts';
import { toHex6 } from './colors.ts';
import type { Monaco } from './monaco-setup.ts';
import type { PatternWorkspace } from './workspace.ts';

let loading: Promise<Monaco> | undefined;
/** Monaco and its set-up, fetched on first use (its own chunks). */
export const loadMonaco = (): Promise<Monaco> => (loading ??= import('./monaco-setup.ts').then((m) => m.monaco));

/**
 * A workspace's models handed to the TypeScript worker, so imports between
 * them resolve from the first check; never fails (the editor still works,
 * with import errors, without it).
 */
export const syncTypeScriptModels = (models: readonly editor.ITextModel[]): Promise<void> =>
  import('./monaco-setup.ts').then((m) => m.syncTypeScriptModels(models)).catch(() => undefined);

export const useMonaco = (): { monaco: Monaco | undefined; error: unknown } => {
  const [state, setState] = useState<{ monaco: Monaco | undefined; error: unknown }>({ monaco: undefined, error: undefined });
  useEffect(() => {
    let live = true;
    loadMonaco().then(
      (monaco) => live && setState({ monaco, error: undefined }),
      (error: unknown) => live && setState({ monaco: undefined, error }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
};

/** vs / vs-dark, on the app's own panel colour; re-applied when the app theme changes. */
export const useMonacoTheme = (monaco: Monaco | undefined): void => {
  const theme = useAppTheme();
  useEffect(() => {
    if (!monaco) return;
    const name = theme === 'dark' ? 'workbench-dark' : 'workbench-light';
    const panel = toHex6(themeColor('--panel'));
    const muted = toHex6(themeColor('--muted'));
    // On the app's panel colour vs-dark's line numbers (#858585) and comments (#608b4e) fall just
    // short of WCAG AA's 4.5:1: the muted text colour for the numbers, a lighter green for comments.
    const dark = theme === 'dark';
    monaco.editor.defineTheme(name, {
      base: dark ? 'vs-dark' : 'vs',
      inherit: true,
      rules: dark ? [{ token: 'comment', foreground: '7ca668' }] : [],
      colors: {
        ...(panel ? { 'editor.background': panel, 'editorGutter.background': panel } : {}),
        ...(dark && muted ? { 'editorLineNumber.foreground': muted } : {}),
      },
    });
    monaco.editor.setTheme(name);
  }, [monaco, theme]);
};

const COMMON_OPTIONS: editor.IEditorOptions = {
  automaticLayout: true,
  // What a screen reader says on entering the editor, including the way out for the keyboard.
  ariaLabel: `Code editor. Tab indents; press ${TAB_FOCUS_KEYS} to make Tab move the focus out of the editor. Alt+F1: accessibility help.`,
  fontSize: 13,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  // Suggestions and hovers may overflow the editor's box instead of being clipped by it.
  fixedOverflowWidgets: true,
  renderLineHighlight: 'all',
};

/**
 * A code editor in `host` showing `model`, remembering each model's scroll
 * and cursor across switches.
 */
export const useCodeEditor = (
  monaco: Monaco | undefined,
  host: RefObject<HTMLDivElement | null>,
  model: editor.ITextModel | undefined,
  readOnly: boolean,
) => {
  const [instance, setInstance] = useState<editor.IStandaloneCodeEditor>();
  const viewStates = useRef(new Map<string, editor.ICodeEditorViewState | null>());

  useEffect(() => {
    if (!monaco || !host.current) return;
    const created = monaco.editor.create(host.current, { ...COMMON_OPTIONS, model: null, tabSize: 2 });
    setInstance(created);
    return () => {
      created.dispose();
      setInstance(undefined);
    };
  }, [monaco, host]);

  useEffect(() => {
    if (!instance || !model || instance.getModel() === model) return;
    const previous = instance.getModel();
    if (previous && !previous.isDisposed()) viewStates.current.set(previous.uri.toString(), instance.saveViewState());
    instance.setModel(model);
    const state = viewStates.current.get(model.uri.toString());
    if (state) instance.restoreViewState(state);
  }, [instance, model]);

  useEffect(() => {
    instance?.updateOptions({
      readOnly,
      readOnlyMessage: { value: 'This file is read-only here: only the pattern’s editable files can be changed.' },
    });
  }, [instance, readOnly]);

  return instance;
};

/** What the diff editor shows on its left, read-only side. */
export interface Comparison {
  file: string;
  /** "the reference", "v3". */
  label: string;
  content: string;
}

/**
 * A side-by-side diff editor in `host` while a comparison is given: the
 * comparison on the left (read-only), the working copy on the right (editable,
 * the same model as in the code editor). The left model lives as long as the
 * diff editor, which is disposed first (Monaco refuses a model disposed under it).
 */
export const useDiffEditor = (
  monaco: Monaco | undefined,
  host: RefObject<HTMLDivElement | null>,
  workspace: PatternWorkspace | undefined,
  comparison: Comparison | undefined,
  modified: editor.ITextModel | undefined,
) => {
  useEffect(() => {
    if (!monaco || !host.current || !workspace || !comparison || !modified) return;
    const original = workspace.createComparison(comparison.file, comparison.content);
    const diff = monaco.editor.createDiffEditor(host.current, {
      ...COMMON_OPTIONS,
      originalEditable: false,
      renderSideBySide: true,
      ignoreTrimWhitespace: false,
    });
    diff.setModel({ original, modified });
    // Show the first change once the diff is computed, not line 1 of an unchanged header.
    const once = diff.onDidUpdateDiff(() => {
      once.dispose();
      if (diff.getLineChanges()?.length) diff.revealFirstDiff();
    });
    return () => {
      once.dispose();
      diff.dispose();
      original.dispose();
    };
  }, [monaco, host, workspace, comparison, modified]);
};
