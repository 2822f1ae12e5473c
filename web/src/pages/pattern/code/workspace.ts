/**
 * The Monaco models of one pattern: its editable files (the learner's working
 * copies), and, read-only, its other files and the kit, at URIs that mirror
 * the repository so imports resolve. It owns them and disposes them; unsaved
 * edits outlive it as drafts, so switching to the Lab tab and back loses nothing.
 */
import type { editor, IDisposable } from 'monaco-editor/editor';
import type { FileState } from '../../../../../server/protocol/api.ts';
import type { Monaco } from './monaco-setup.ts';
import { modelUri, patternFilePath, repoPathOfUri } from './paths.ts';
import type { SourceFile } from './sources.ts';

/** Unsaved edits by `patternId/file`, with the version they were made on. */
const drafts = new Map<string, { baseVersion: number; content: string }>();

export class PatternWorkspace implements IDisposable {
  private readonly models = new Map<string, editor.ITextModel>();
  private readonly editable = new Map<string, editor.ITextModel>();
  private readonly saved = new Map<string, { content: string; version: number }>();
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions: IDisposable[] = [];
  private dirty = '';

  constructor(
    private readonly monaco: Monaco,
    readonly patternId: string,
    sources: readonly SourceFile[],
    files: readonly FileState[],
  ) {
    const editablePaths = new Set(files.map((f) => patternFilePath(patternId, f.file)));
    for (const source of sources) if (!editablePaths.has(source.path)) this.create(source.path, source.content);
    for (const file of files) {
      const draft = drafts.get(`${patternId}/${file.file}`);
      const useDraft = draft !== undefined && draft.baseVersion === file.version;
      const model = this.create(patternFilePath(patternId, file.file), useDraft ? draft.content : file.content);
      this.editable.set(file.file, model);
      this.saved.set(file.file, { content: file.content, version: file.version });
      this.subscriptions.push(model.onDidChangeContent(() => this.update()));
    }
    this.update();
  }

  private create(path: string, content: string): editor.ITextModel {
    const uri = this.monaco.Uri.parse(modelUri(path));
    this.monaco.editor.getModel(uri)?.dispose();
    const model = this.monaco.editor.createModel(content, 'typescript', uri);
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    this.models.set(path, model);
    return model;
  }

  /** The working copy of an editable file. */
  model(file: string): editor.ITextModel | undefined {
    return this.editable.get(file);
  }

  /** Every model of the workspace: the kit, the pattern's files, the working copies. */
  allModels(): editor.ITextModel[] {
    return [...this.models.values()];
  }

  /** Any model of the workspace by repository path (`patterns/kit/clock.ts`). */
  modelAt(repoPath: string): editor.ITextModel | undefined {
    return this.models.get(repoPath);
  }

  /** The editable file a model URI is the working copy of, if any. */
  editableFileOf(uri: string): string | undefined {
    const path = repoPathOfUri(uri);
    return [...this.editable.keys()].find((file) => patternFilePath(this.patternId, file) === path);
  }

  /** The model of a file the server named in an error (`patterns/<id>/x.ts`, or an absolute path ending so). */
  modelForReported(reported: string | undefined): editor.ITextModel | undefined {
    if (!reported) return undefined;
    const path = reported.includes('/') || reported.includes('\\') ? reported.replace(/\\/g, '/') : patternFilePath(this.patternId, reported);
    for (const [repoPath, model] of this.models) if (path === repoPath || path.endsWith(`/${repoPath}`)) return model;
    return undefined;
  }

  isDirty(file: string): boolean {
    const model = this.editable.get(file);
    return model !== undefined && model.getValue() !== this.saved.get(file)?.content;
  }

  /** The names of files with unsaved edits, as one string (a stable snapshot for React). */
  dirtyFiles = (): string => this.dirty;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The server now holds `content` as `version` of the file. */
  markSaved(file: string, content: string, version: number): void {
    this.saved.set(file, { content, version });
    this.update();
  }

  /** Replaces the working copy (a reset or restore) as one edit the learner can undo. */
  replace(file: string, content: string, version: number): void {
    const model = this.editable.get(file);
    if (model && model.getValue() !== content) {
      model.pushStackElement();
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text: content }], () => null);
      model.pushStackElement();
    }
    this.markSaved(file, content, version);
  }

  /**
   * A read-only model holding another version of a file, for the diff editor,
   * beside the file so its imports resolve too. The caller disposes it.
   */
  createComparison(file: string, content: string): editor.ITextModel {
    const path = patternFilePath(this.patternId, file.replace(/\.ts$/, '.compare.ts'));
    const uri = this.monaco.Uri.parse(modelUri(path));
    this.monaco.editor.getModel(uri)?.dispose();
    return this.monaco.editor.createModel(content, 'typescript', uri);
  }

  private update(): void {
    const dirty = [...this.editable.keys()].filter((file) => this.isDirty(file)).join('\n');
    if (dirty === this.dirty) return;
    this.dirty = dirty;
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    for (const [file, model] of this.editable) {
      const key = `${this.patternId}/${file}`;
      if (this.isDirty(file)) drafts.set(key, { baseVersion: this.saved.get(file)!.version, content: model.getValue() });
      else drafts.delete(key);
    }
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
    this.editable.clear();
    this.listeners.clear();
  }
}
