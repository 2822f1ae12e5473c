/**
 * The Monaco models of one exercise: the learner's code at the path of the
 * pattern file it stands in for (so `'../kit/index.ts'` and `'./errors.ts'`
 * resolve), and, for IntelliSense, the kit and the pattern's other files as
 * the Code tab loads them. Unlike the Code tab's workspace it keeps no
 * drafts of its own: the exercise's draft is the learner's work, saved
 * through the exercises API.
 */
import { useEffect, useState } from 'react';
import type { editor, IDisposable } from 'monaco-editor/editor';
import type { Monaco } from '../pattern/code/monaco-setup.ts';
import { isSameFile, modelUri, patternFilePath } from '../pattern/code/paths.ts';
import { loadPatternSources, type SourceFile } from '../pattern/code/sources.ts';
import { syncTypeScriptModels } from '../pattern/code/useMonaco.ts';

export class ExerciseWorkspace implements IDisposable {
  /** The learner's code. */
  readonly model: editor.ITextModel;
  private readonly models: editor.ITextModel[] = [];

  constructor(
    private readonly monaco: Monaco,
    readonly patternId: string,
    readonly file: string,
    sources: readonly SourceFile[],
    code: string,
  ) {
    const edited = patternFilePath(patternId, file);
    for (const source of sources) if (source.path !== edited) this.create(source.path, source.content);
    this.model = this.create(edited, code);
  }

  private create(path: string, content: string): editor.ITextModel {
    const uri = this.monaco.Uri.parse(modelUri(path));
    this.monaco.editor.getModel(uri)?.dispose();
    const model = this.monaco.editor.createModel(content, 'typescript', uri);
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    this.models.push(model);
    return model;
  }

  /** Every model of the workspace: the kit, the pattern's other files, the learner's code. */
  allModels(): editor.ITextModel[] {
    return [...this.models];
  }

  /** Whether a location the server reported is in the learner's file. */
  isEdited(reported: string | undefined): boolean {
    return isSameFile(reported, this.patternId, this.file);
  }

  /** Replaces the learner's code as one edit they can undo (Ctrl/Cmd+Z). */
  replace(code: string): void {
    if (this.model.getValue() === code) return;
    this.model.pushStackElement();
    this.model.pushEditOperations([], [{ range: this.model.getFullModelRange(), text: code }], () => null);
    this.model.pushStackElement();
  }

  /** A read-only model beside the learner's file (imports resolve), for the diff. The caller disposes it. */
  createComparison(label: string, content: string): editor.ITextModel {
    const path = patternFilePath(this.patternId, this.file.replace(/\.ts$/, `.${label}.ts`));
    const uri = this.monaco.Uri.parse(modelUri(path));
    this.monaco.editor.getModel(uri)?.dispose();
    return this.monaco.editor.createModel(content, 'typescript', uri);
  }

  dispose(): void {
    for (const model of this.models) model.dispose();
    this.models.length = 0;
  }
}

/** The exercise's workspace once Monaco and the pattern's sources are there; `code` is read once, at creation. */
export const useExerciseWorkspace = (monaco: Monaco | undefined, patternId: string, file: string, code: string | undefined) => {
  const [workspace, setWorkspace] = useState<ExerciseWorkspace>();
  const [error, setError] = useState<unknown>();
  const ready = code !== undefined;
  useEffect(() => {
    if (!monaco || !ready) return;
    let cancelled = false;
    let created: ExerciseWorkspace | undefined;
    loadPatternSources(patternId).then(
      async (sources) => {
        if (cancelled) return;
        const workspace = (created = new ExerciseWorkspace(monaco, patternId, file, sources, code));
        // Before the editor shows it: the first check must see the files it imports.
        await syncTypeScriptModels(workspace.allModels());
        if (!cancelled) setWorkspace(workspace);
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
    // The code is the starting point only: later edits live in the model.
  }, [monaco, patternId, file, ready]);
  return { workspace, error };
};
