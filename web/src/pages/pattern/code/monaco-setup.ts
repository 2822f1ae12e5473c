/**
 * Monaco, set up once for the workbench. Everything is local (no CDN): the
 * editor API, its features, the TypeScript tokenizer and language service,
 * and two workers bundled by Vite. This module is only reached through the
 * dynamic import in loadMonaco(), so Monaco stays out of every page's first
 * load and gets chunks of its own.
 */
import * as monaco from 'monaco-editor/editor';
import type { editor } from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import {
  getTypeScriptWorker,
  ModuleKind,
  ScriptTarget,
  typescriptDefaults,
  type CompilerOptions,
  type ModuleResolutionKind,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/language/typescript/ts.worker?worker';

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker(),
};

/**
 * What the server compiles with, as far as the editor can check it: ESM with
 * `.ts` extensions in imports (`'../kit/index.ts'`), resolved like a bundler,
 * strict. ModuleResolutionKind.Bundler (100) is newer than Monaco's enum.
 */
export const COMPILER_OPTIONS: CompilerOptions = {
  target: 9 as ScriptTarget, // ES2022; its default lib includes the DOM (AbortSignal, fetch)
  module: ModuleKind.ESNext,
  moduleResolution: 100 as ModuleResolutionKind,
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: true,
};

typescriptDefaults.setCompilerOptions(COMPILER_OPTIONS);
// Errors as you type, for the files on screen (the kit is checked by the project, not here).
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false, onlyVisible: true });
// The worker must see every model (the kit, the pattern's other files), not only the open one, for imports to resolve.
typescriptDefaults.setEagerModelSync(true);

/**
 * Hands models to the TypeScript worker now. Eager model sync covers only the
 * models there when the worker starts; models created later (the Code tab
 * opened again after a trip to the Lab, another pattern, an exercise) would
 * reach it only once shown, and imports of the others would not resolve
 * ("Cannot find module '../kit/index.ts'"). Await it before showing them.
 */
export const syncTypeScriptModels = async (models: readonly editor.ITextModel[]): Promise<void> => {
  const worker = await getTypeScriptWorker();
  await worker(...models.map((model) => model.uri));
};

export { monaco };
export type Monaco = typeof monaco;
