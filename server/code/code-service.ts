/**
 * The learner's code: versions of each editable file, saved durably, then
 * compiled and deployed into the pattern's live runs that follow its current
 * code (runs started with pinned code keep theirs). A version that does not
 * compile or load is still kept (nothing typed is lost) but marked with its
 * error; runs go on with the last good code.
 */
import type { LabManifest } from '../../patterns/kit/index.ts';
import { HttpError, notFound } from '../http/errors.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import type { LoadFailure } from '../runs/protocol.ts';
import type { RunManager } from '../runs/run-manager.ts';
import type { CompileMessage } from '../sandbox/compile.ts';
import { SandboxedWorker } from '../sandbox/host.ts';
import type { FileVersion, Store, StoredError } from '../store/store.ts';

const trialEntry = new URL('../runs/trial-entry.ts', import.meta.url);

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
    private readonly rootDir: string,
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
    }
  }

  private async saveNow(patternId: string, file: string, content: string, origin: FileVersion['origin']): Promise<SaveResult> {
    const started = performance.now();
    const labs = this.registry.get(patternId)!.manifest.labs;
    const { contents } = this.runs.sources(patternId, { file, content, version: 0 });

    // Compile first, so a version that cannot build is stored with its error at once.
    let compileError: CompileMessage | undefined;
    let bundleUrl: string | undefined;
    for (const lab of labs) {
      const compiled = await this.runs.compile(patternId, lab, contents);
      if (!compiled.ok) {
        compileError = compiled.errors[0];
        break;
      }
      bundleUrl ??= compiled.url;
    }
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

    // Only runs that follow the pattern's current code take a save; pinned runs keep their own.
    const hasFollowingRuns = this.runs.following(patternId).length > 0;
    let result: { deployedTo: string[]; error?: LoadFailure | CompileMessage | undefined } = hasFollowingRuns
      ? await this.runs.deploy(patternId, { file, content, version: saved.version })
      : { deployedTo: [] };
    // No run took it (none live, or they ended before it came): a trial load still checks that it loads.
    if (!result.error && result.deployedTo.length === 0) {
      result = { deployedTo: [], error: await this.trialLoad(patternId, labs[0]!, bundleUrl!) };
    }
    if (result.error) {
      const stored = toStoredError(result.error);
      this.store.setFileVersionError(patternId, file, saved.version, stored);
      return done(result.deployedTo, stored);
    }
    return done(result.deployedTo);
  }

  async reset(patternId: string, file: string): Promise<SaveResult> {
    return this.save(patternId, file, this.reference(patternId, file), 'reset');
  }

  async restore(patternId: string, file: string, version: number): Promise<SaveResult> {
    return this.save(patternId, file, this.version(patternId, file, version).content, 'restored');
  }

  /** Loads the bundle once in a throwaway sandbox, on virtual time. */
  private async trialLoad(patternId: string, lab: LabManifest, bundleUrl: string): Promise<LoadFailure | undefined> {
    const worker = new SandboxedWorker({
      entry: trialEntry,
      data: { bundleUrl, lab, patternId },
      rootDir: this.rootDir,
      userCodeDirs: [this.registry.get(patternId)!.dir],
      name: `trial ${patternId}`,
      captureOutput: true,
    });
    let fatal: LoadFailure | undefined;
    worker.onFatal((f) => {
      fatal = { message: f.message, ...(f.file && { file: f.file }), ...(f.line && { line: f.line }), ...(f.column && { column: f.column }) };
    });
    const exit = await worker.exited;
    if (fatal) return fatal;
    if (exit.code !== 0) return { message: `the code failed to load (worker exit ${exit.code})` };
    return undefined;
  }
}
