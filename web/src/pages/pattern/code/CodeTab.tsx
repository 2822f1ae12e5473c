/**
 * The Code tab: the pattern's editable files in Monaco, type-checked as you
 * type against the kit and the pattern's other files; Save & deploy (Ctrl/Cmd+S)
 * redeploys the live runs; compile, load and runtime errors land on their line;
 * a diff against the reference or any saved version; the version history.
 */
import { useEffect, useRef, useState } from 'react';
import type { IPosition, IRange } from 'monaco-editor/editor';
import type { PatternDetail } from '../../../../../server/protocol/api.ts';
import { api } from '../../../api/client.ts';
import type { LiveRun } from '../../../api/live.ts';
import { EditorKeysHint } from '../../../components/EditorKeysHint.tsx';
import { ErrorNotice } from '../../../components/ErrorNotice.tsx';
import '../../../styles/learn-code.css';
import { CodeToolbar } from './CodeToolbar.tsx';
import { FileTabs, type FileTab } from './FileTabs.tsx';
import { useFitToViewport, useLeaveWarning, useSaveShortcut } from './layout.ts';
import { describeCodeError } from './markers.ts';
import { isSameFile, repoPathOfUri, shortLabel } from './paths.ts';
import { useFileActions } from './useFileActions.ts';
import { useMarkers } from './useMarkers.ts';
import { useCodeEditor, useDiffEditor, useMonaco, useMonacoTheme, type Comparison } from './useMonaco.ts';
import { useWorkspace } from './useWorkspace.ts';
import { VersionHistory } from './VersionHistory.tsx';

/** The file last open per pattern, so a trip to another tab comes back to it. */
const lastActive = new Map<string, string>();

interface CodeTabProps {
  pattern: PatternDetail;
  live: LiveRun;
  onSaved: () => void;
}

export default function CodeTab({ pattern, live, onSaved }: CodeTabProps) {
  const { monaco, error: monacoError } = useMonaco();
  useMonacoTheme(monaco);
  const { workspace, files, dirty, error: loadError, refreshFile } = useWorkspace(monaco, pattern);
  const [active, setActive] = useState(() => {
    const last = lastActive.get(pattern.id);
    return last && pattern.editableFiles.includes(last) ? last : (pattern.editableFiles[0] ?? '');
  });
  useEffect(() => {
    if (pattern.editableFiles.includes(active)) lastActive.set(pattern.id, active);
  }, [pattern.id, pattern.editableFiles, active]);
  const [readOnlyTabs, setReadOnlyTabs] = useState<string[]>([]);
  const [comparison, setComparison] = useState<Comparison>();
  const [historyOpen, setHistoryOpen] = useState(() => window.innerWidth >= 1200);
  const [historyKey, setHistoryKey] = useState(0);
  const events = useRef(live.events);
  events.current = live.events;
  const actions = useFileActions({
    workspace,
    refreshFile,
    lastEvent: () => events.current.at(-1),
    onSaved: () => {
      setHistoryKey((k) => k + 1);
      onSaved();
    },
  });
  const runtime = useMarkers(monaco, workspace, files, live, actions.savedAt);

  const editable = pattern.editableFiles.includes(active);
  const model = editable ? workspace?.model(active) : workspace?.modelAt(active);
  const root = useRef<HTMLDivElement>(null);
  const editorHost = useRef<HTMLDivElement>(null);
  const diffHost = useRef<HTMLDivElement>(null);
  useFitToViewport(root);
  const editor = useCodeEditor(monaco, editorHost, model, !editable);
  useDiffEditor(monaco, diffHost, workspace, comparison, editable ? model : undefined);

  // "Go to definition" into another file opens it: an editable file's tab, or a read-only tab.
  const reveal = useRef<IRange | IPosition>(undefined);
  useEffect(() => {
    if (!monaco || !workspace) return;
    const opener = monaco.editor.registerEditorOpener({
      openCodeEditor: (_source, resource, selectionOrPosition) => {
        const file = workspace.editableFileOf(resource.toString());
        const path = repoPathOfUri(resource.toString());
        if (!file && !workspace.modelAt(path)) return false;
        reveal.current = selectionOrPosition;
        setComparison(undefined);
        if (!file) setReadOnlyTabs((tabs) => (tabs.includes(path) ? tabs : [...tabs, path]));
        setActive(file ?? path);
        return true;
      },
    });
    return () => opener.dispose();
  }, [monaco, workspace]);
  useEffect(() => {
    const target = reveal.current;
    if (!editor || !model || !target || editor.getModel() !== model) return;
    reveal.current = undefined;
    if ('startLineNumber' in target) {
      editor.setSelection(target);
      editor.revealRangeInCenterIfOutsideViewport(target);
    } else {
      editor.setPosition(target);
      editor.revealPositionInCenterIfOutsideViewport(target);
    }
    editor.focus();
  }, [editor, model]);

  // A version that failed to compile or load: bring its line into view.
  const activeError = editable ? files[active]?.error : undefined;
  useEffect(() => {
    if (editor && activeError?.line && isSameFile(activeError.file ?? active, pattern.id, active)) {
      editor.revealLineInCenterIfOutsideViewport(activeError.line);
    }
  }, [editor, activeError, active, pattern.id]);

  /** Opens the diff of the working copy against the reference, or against a saved version. */
  const compareWith = async (file: string, version?: number) => {
    const label = version === undefined ? 'the reference' : `v${version}`;
    try {
      const { content } = version === undefined ? await api.reference(pattern.id, file) : await api.version(pattern.id, file, version);
      setComparison({ file, label, content });
    } catch (error) {
      actions.setStatus({ kind: 'error', text: `Could not load ${label}: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  const select = (key: string) => {
    setActive(key);
    if (!comparison) return;
    // The reference diff follows the file; a version belongs to one file, so its diff closes.
    if (comparison.label === 'the reference' && pattern.editableFiles.includes(key)) void compareWith(key);
    else setComparison(undefined);
  };
  const closeTab = (key: string) => {
    setReadOnlyTabs((tabs) => tabs.filter((t) => t !== key));
    if (active === key) setActive(pattern.editableFiles[0] ?? '');
  };

  const save = () => {
    if (!editable) return actions.setStatus({ kind: 'error', text: `${shortLabel(active)} is read-only: only the pattern’s editable files are saved.` });
    if (!dirty.has(active)) return actions.setStatus({ kind: 'ok', text: `No changes to save in ${active}.` });
    actions.save(active);
  };
  useSaveShortcut(save);
  useLeaveWarning(dirty.size > 0);

  const reset = () => {
    const unsaved = dirty.has(active) ? ' Your unsaved edits are discarded.' : '';
    if (window.confirm(`Reset ${active} to the reference? It is saved as a new version and deployed; your code stays in the history.${unsaved}`)) {
      setComparison(undefined);
      actions.reset(active);
    }
  };
  const restore = (version: number) => {
    const unsaved = dirty.has(active) ? ' Your unsaved edits are discarded.' : '';
    if (window.confirm(`Restore v${version} of ${active}? It is saved again as a new version and deployed.${unsaved}`)) {
      setComparison(undefined);
      actions.restore(active, version);
    }
  };

  const tabs: FileTab[] = [
    ...pattern.editableFiles.map((name) => ({
      key: name,
      label: name,
      editable: true,
      problem: files[name]?.error
        ? `the latest version was not deployed: ${files[name].error.message}`
        : runtime[name]?.length
          ? 'the live run hit an error in this file'
          : undefined,
    })),
    ...readOnlyTabs.map((path) => ({ key: path, label: shortLabel(path), editable: false })),
  ];
  const state = editable ? files[active] : undefined;
  const runtimeErrors = editable ? (runtime[active] ?? []) : [];
  const failure = monacoError ?? loadError;

  return (
    <section className="code-tab" ref={root}>
      <div className="code-bar">
        <FileTabs tabs={tabs} active={active} dirty={dirty} onSelect={select} onClose={closeTab} />
        <CodeToolbar
          editable={editable}
          ready={workspace !== undefined}
          busy={actions.busy}
          dirty={dirty.has(active)}
          diffOpen={comparison?.label === 'the reference'}
          historyOpen={historyOpen}
          onToggleDiff={() => (comparison?.label === 'the reference' ? setComparison(undefined) : void compareWith(active))}
          onToggleHistory={() => setHistoryOpen((open) => !open)}
          onReset={reset}
          onSave={save}
        />
      </div>
      <div className={`code-status ${actions.status?.kind ?? 'idle'}`} role="status" aria-live="polite">
        {actions.status?.text ??
          (editable
            ? state && `${active}: v${state.version}${state.version === 0 ? ' (the reference)' : ''}, runs use ${state.goodVersion === 0 ? 'the reference' : `v${state.goodVersion}`}`
            : `${shortLabel(active)} is read-only: the kit and the lab are not edited here.`)}
        {state?.error && !actions.status && <span className="code-status-error"> · not deployed: {describeCodeError(state.error)}</span>}
      </div>
      {runtimeErrors.length > 0 && (
        <div className="notice error code-runtime-error" role="alert">
          The live run hit an error in {active}
          {runtimeErrors.at(-1)!.line !== undefined && ` at line ${runtimeErrors.at(-1)!.line}`}: {runtimeErrors.at(-1)!.message}
        </div>
      )}
      {failure !== undefined && <ErrorNotice error={failure} title="The editor could not load" />}
      <div className="code-body">
        <div className="code-editors">
          {comparison && (
            <div className="diff-head">
              <span>
                Left: <strong>{comparison.label}</strong> of {comparison.file} (read-only) · Right: your working copy
              </span>
              <button type="button" onClick={() => setComparison(undefined)}>
                Close diff
              </button>
            </div>
          )}
          <div className="monaco-host" ref={editorHost} hidden={comparison !== undefined} />
          {comparison && <div className="monaco-host" ref={diffHost} />}
          {!workspace && failure === undefined && <p className="code-loading muted">Loading the editor…</p>}
        </div>
        {historyOpen && editable && (
          <VersionHistory
            patternId={pattern.id}
            file={active}
            refreshKey={historyKey}
            current={state?.version}
            running={state?.goodVersion}
            busy={actions.busy}
            onView={(version) => void compareWith(active, version)}
            onViewReference={() => void compareWith(active)}
            onRestore={restore}
          />
        )}
      </div>
      <EditorKeysHint />
    </section>
  );
}
