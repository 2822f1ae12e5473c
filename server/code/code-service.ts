/**
 * The learner's code: versions of each editable file, saved durably, then
 * compiled and deployed into the pattern's live runs that follow its current
 * code (runs started with pinned code keep theirs). A version that does not
 * compile or load is still kept (nothing typed is lost) but marked with its
 * error; runs go on with the last good code.
 */
import { HttpError, notFound } from '../http/errors.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import type { LoadFailure } from '../runs/protocol.ts';
import type { RunManager } from '../runs/run-manager.ts';
import type { CompiledLab, CompileMessage } from '../sandbox/compile.ts';
import type { FileVersion, Store, StoredError } from '../store/store.ts';

export interface SaveResult {
  version: number;
  /** Runs now running this version. */
  deployedTo: string[];
  /** Set when the version did not compile or load. */
  error?: StoredError;
  durationMs: number;
}

export interface FileState {
  patternId: string;
  file: string;
  content: string;
  /** 0 when the file is the reference. */
  version: number;
  /** The version runs use (the newest that compiled and loaded). */
  goodVersion: number;
  error: StoredError | null;
}

const toStoredError = (error: LoadFailure | CompileMessage): StoredError => ({
  message: error.message,
  ...(error.file !== undefined && { file: error.file }),
  ...(error.line !== undefined && { line: error.line }),
  ...(error.column !== undefined && { column: error.column }),
});

export class CodeService {
  /** The save in progress per pattern: saves of one pattern run one after another. */
  private readonly saving = new Map<string, Promise<unknown>>();

  constructor(
    private readonly registry: PatternRegistry,
    private readonly store: Store,
    private readonly runs: RunManager,
  ) {}

  private check(patternId: string, file: string): void {
    if (!this.registry.get(patternId)) throw notFound(`pattern '${patternId}'`);
    if (!this.registry.isEditable(patternId, file)) {
      const files = this.registry.get(patternId)!.manifest.editableFiles.join(', ');
      throw new HttpError(404, `'${file}' is not an editable file of ${patternId} (editable: ${files})`);
    }
  }

  get(patternId: string, file: string): FileState {
    this.check(patternId, file);
    const latest = this.store.latestFileVersion(patternId, file);
    const good = this.store.latestGoodFileVersion(patternId, file);
    return {
      patternId,
      file,
      content: latest?.content ?? this.registry.readReference(patternId, file),
      version: latest?.version ?? 0,
      goodVersion: good?.version ?? 0,
      error: latest?.error ?? null,
    };
  }

  reference(patternId: string, file: string): string {
    this.check(patternId, file);
    return this.registry.readReference(patternId, file);
  }

  versions(patternId: string, file: string): Array<Omit<FileVersion, 'content'>> {
    this.check(patternId, file);
    return this.store.listFileVersions(patternId, file);
  }

  version(patternId: string, file: string, version: number): FileVersion {
    this.check(patternId, file);
    const found = this.store.getFileVersion(patternId, file, version);
    if (!found) throw notFound(`version ${version} of ${file}`);
    return found;
  }

  /**
   * Saves, compiles and deploys. The version is committed before anything else happens.
   * Saves of one pattern are handled in turn: two at once would deploy in either order
   * and could leave the runs on an older version than the latest one stored (and the
   * code of one file is compiled together with the pattern's other files).
   */
  async save(patternId: string, file: string, content: string, origin: FileVersion['origin'] = 'saved'): Promise<SaveResult> {
    this.check(patternId, file);
    const previous = this.saving.get(patternId) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.saveNow(patternId, file, content, origin));
    this.saving.set(patternId, mine);
    try {
      return await mine;
    } finally {
      if (this.saving.get(patternId) === mine) this.saving.delete(patternId);
      // A trial sandbox this save ended (or wore out) is replaced once its runs have the code, not before.
      this.runs.warmTrial(patternId);
    }
  }

  private async saveNow(patternId: string, file: string, content: string, origin: FileVersion['origin']): Promise<SaveResult> {
    const bundles = new Map<string, CompiledLab>();
    try {
      return await this.compileAndDeploy(patternId, file, content, origin, bundles);
    } finally {
      // The trial load has ended and each run that took a bundle holds it itself: the save's
      // holds go, and with them the bundles nobody took (see CompiledLab.release).
      for (const bundle of bundles.values()) bundle.release();
    }
  }

  private async compileAndDeploy(
    patternId: string,
    file: string,
    content: string,
    origin: FileVersion['origin'],
    bundles: Map<string, CompiledLab>,
  ): Promise<SaveResult> {
    const started = performance.now();
    const labs = this.registry.get(patternId)!.manifest.labs;
    const { contents } = this.runs.sources(patternId, { file, content, version: 0 });

    // Compile first, so a version that cannot build is stored with its error at once.
    let compileError: CompileMessage | undefined;
    for (const lab of labs) {
      const compiled = await this.runs.compile(patternId, lab, contents);
      if (!compiled.ok) {
        compileError = compiled.errors[0];
        break;
      }
      bundles.set(lab.id, compiled);
    }

    // Only runs that follow the pattern's current code take a save; pinned runs keep their own.
    // The code is tried first where it cannot take a run down: loaded in a trial sandbox with a
    // run's limits, each lab a live run uses (or the first lab, when no run is live, so a save
    // is checked anyway). Code that throws, spins or eats memory while loading fails there; the
    // runs go on with their last good code, and their timelines say why. The trial starts now,
    // on its own thread, while the version is committed here.
    const following = this.runs.following(patternId);
    const tried = following.length > 0 ? labs.filter((lab) => following.some((run) => run.lab.id === lab.id)) : labs.slice(0, 1);
    const trying = compileError
      ? undefined
      : this.runs.trial(
          patternId,
          tried.map((lab) => ({ lab, bundleUrl: bundles.get(lab.id)!.url })),
        );
    // If the commit fails (a busy database), nobody awaits the trial: it must not go unhandled.
    trying?.catch(() => undefined);
    const saved = this.store.saveFileVersion({
      patternId,
      file,
      content,
      origin,
      error: compileError ? toStoredError(compileError) : null,
    });
    const done = (deployedTo: string[], error?: StoredError): SaveResult => ({
      version: saved.version,
      deployedTo,
      ...(error && { error }),
      durationMs: performance.now() - started,
    });
    if (compileError) return done([], toStoredError(compileError));
    const rejected = (error: LoadFailure | CompileMessage, deployedTo: string[] = []): SaveResult => {
      const stored = toStoredError(error);
      this.store.setFileVersionError(patternId, file, saved.version, stored);
      return done(deployedTo, stored);
    };

    const failure = await trying;
    if (failure) {
      for (const run of following) run.noteRejectedCode(file, saved.version, failure);
      return rejected(failure);
    }
    if (following.length === 0) return done([]);
    // A load can still fail in a run where the trial passed (code that throws only on the real
    // clock, say): the run keeps its previous code then too (see LabRun.deploy).
    const result = await this.runs.deploy(patternId, { file, content, version: saved.version }, bundles);
    return result.error ? rejected(result.error, result.deployedTo) : done(result.deployedTo);
  }

  async reset(patternId: string, file: string): Promise<SaveResult> {
    return this.save(patternId, file, this.reference(patternId, file), 'reset');
  }

  async restore(patternId: string, file: string, version: number): Promise<SaveResult> {
    return this.save(patternId, file, this.version(patternId, file, version).content, 'restored');
  }
}
