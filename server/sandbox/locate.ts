/**
 * Finding the learner's line in a stack: the first frame inside the learner's
 * code, not the kit's or the engine's. Used by the sandbox's guards (on
 * source-mapped `error.stack` text) and by the host's watchdog (on frames the
 * inspector reported and the host mapped).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './protocol.ts';

/** One stack frame: `file` is a path or URL as the stack showed it; line and column 1-based. */
export interface StackFrame {
  file: string;
  line: number;
  column: number;
}

// `    at fn (file:line:col)`, `    at file:line:col`, `    at async fn (file:line:col)`
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** The frames of a V8 stack trace, in order (innermost first). */
export function parseStack(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n')) {
    const m = FRAME.exec(text);
    if (m) frames.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/** An absolute path for a frame's file, or undefined for `node:` and other non-file frames. */
export function toPath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(file) ? file : undefined;
}

const inside = (dir: string, file: string): boolean => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export interface UserCode {
  rootDir: string;
  userCodeDirs: readonly string[];
}

/**
 * The first frame inside the learner's code, as a location relative to the
 * project root. Without one (the error came from engine or kit code only) it
 * returns undefined: pointing at engine lines would mislead the learner.
 */
export function userLocation(frames: readonly StackFrame[], code: UserCode): SourceLocation | undefined {
  for (const frame of frames) {
    const file = toPath(frame.file);
    if (file && code.userCodeDirs.some((dir) => inside(dir, file))) {
      return { file: path.relative(code.rootDir, file).split(path.sep).join('/'), line: frame.line, column: frame.column };
    }
  }
  return undefined;
}
