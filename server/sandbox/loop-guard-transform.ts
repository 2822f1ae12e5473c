/**
 * Puts the loop guard (loop-guard.ts) into the learner's code as it is
 * compiled: a call at the start of every loop body, naming the loop's place in
 * the original source, so a run stuck in a loop can say which loop it is.
 *
 *   while (!done) step();
 *   → while (!done) {__workbenchLoopGuard?.("patterns/retry/retry.ts", 12, 3);step();}
 *
 * Every kind of loop: `for`, `for…in`, `for…of`, `for await`, `while`,
 * `do…while`, labelled or nested. A body of one statement, or none
 * (`while (busy());`), is wrapped in a block. The file starts with a line-less
 * preamble that takes the guard from the global, and a call does nothing
 * where none is installed (a bundle imported by a test).
 *
 * Nothing is moved to another line, and the result carries a source map (inline:
 * esbuild composes it with its own), so errors and stack traces in the bundle
 * point at the learner's line and column as if nothing had been added.
 *
 * The source is parsed (oxc, through rolldown), not searched: a `for` in a string or
 * a comment is text. A file that does not parse is returned as it is: esbuild
 * reports its syntax error with its own message and line.
 */
import path from 'node:path';
import MagicString, { type SourceMap } from 'magic-string';
import { parseSync, Visitor } from 'rolldown/utils';
import { LOOP_GUARD_GLOBAL } from './loop-guard.ts';

export interface GuardedSource {
  /**
   * The code to compile: the source with the guard calls and, when any were put in, an inline
   * `sourceMappingURL` comment at the end. The source itself when there is no loop (or it
   * does not parse).
   */
  code: string;
  /** How many loops got a guard. */
  loops: number;
  /** The map from `code` back to the source (its `sources` name the file beside it); none when unchanged. */
  map?: SourceMap;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

/**
 * The guard as the file's calls name it: a module-level name, so a call reads a local
 * rather than looking the global up. A `var`, and calls written `guard?.(…)`, so a loop that
 * runs before the preamble does (a function of this file called by a module that imports it
 * back, while it loads) goes unguarded rather than failing, and where no guard is installed
 * a call does nothing. The check costs next to nothing beside the call.
 */
const PREAMBLE = `var ${LOOP_GUARD_GLOBAL} = globalThis.${LOOP_GUARD_GLOBAL};`;

/** The last answer per file, as in refused-calls.ts: a compile reads every file of the pattern. */
const lastAnswer = new Map<string, { source: string; relFile: string; guarded: GuardedSource }>();
const MAX_REMEMBERED = 512;

/**
 * `source` (the text of `file`) with a guard call in every loop body. `relFile` is how the
 * calls name the file: relative to the project root, as the learner sees it.
 */
export function insertLoopGuards(file: string, source: string, relFile: string): GuardedSource {
  const last = lastAnswer.get(file);
  if (last && last.source === source && last.relFile === relFile) return last.guarded;
  const guarded = guard(file, source, relFile);
  if (lastAnswer.size >= MAX_REMEMBERED && !last) lastAnswer.clear();
  lastAnswer.set(file, { source, relFile, guarded });
  return guarded;
}

function guard(file: string, source: string, relFile: string): GuardedSource {
  const unchanged: GuardedSource = { code: source, loops: 0 };
  const lang = /\.m?ts$/.test(file) ? 'ts' : 'js';
  let program: { hashbang?: Node | null };
  try {
    const result = parseSync(file, source, { lang, sourceType: 'module' });
    if (result.errors.length > 0) return unchanged;
    program = result.program as unknown as { hashbang?: Node | null };
  } catch {
    return unchanged;
  }

  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const callAt = (offset: number): string => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Columns count UTF-16 units, as the parser's offsets and the editor do.
    return `${LOOP_GUARD_GLOBAL}?.(${JSON.stringify(relFile)}, ${lo + 1}, ${offset - lineStarts[lo]! + 1});`;
  };

  const s = new MagicString(source);
  let loops = 0;
  // Every insertion is attached to the text before it (appendLeft): where an outer body and
  // an inner one end together (`for (;;) while (x) y;`), both add a `}`, in either order.
  const guardBody = (loop: Node) => {
    loops++;
    const body = loop.body as Node;
    const call = callAt(loop.start);
    if (body.type === 'BlockStatement') {
      s.appendLeft(body.start + 1, call);
    } else {
      s.appendLeft(body.start, `{${call}`);
      s.appendLeft(body.end, '}');
    }
  };
  new Visitor({
    ForStatement: guardBody,
    ForInStatement: guardBody,
    ForOfStatement: guardBody,
    WhileStatement: guardBody,
    DoWhileStatement: guardBody,
  } as unknown as ConstructorParameters<typeof Visitor>[0]).visit(program as Parameters<Visitor['visit']>[0]);
  if (loops === 0) return unchanged;

  // First in the file, on the first line (after a `#!` line, which must stay first): no line moves.
  const hashbang = program.hashbang;
  const firstLine = hashbang ? source.indexOf('\n', hashbang.end) + 1 : 0;
  s.appendLeft(firstLine, PREAMBLE);

  const map = s.generateMap({ source: path.basename(file), hires: true, includeContent: true });
  return { code: `${s.toString()}\n//# sourceMappingURL=${map.toUrl()}\n`, loops, map };
}
