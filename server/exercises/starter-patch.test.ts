import { describe, expect, it } from 'vitest';
import { applyStarterPatch, makeStarterPatch, patchedFileName } from './starter-patch.ts';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `const v${i} = ${i};`);
const NAME = 'patterns/p/file.ts';

describe('starter patches', () => {
  it('give the starter back byte for byte, a missing final newline included', () => {
    const reference = `${lines(60).join('\n')}\n`;
    const cases = [
      reference.replace('v3 = 3', 'v3 = -3').replace('v30 = 30', 'v30 = 0'),
      reference.replace('const v59 = 59;\n', 'const v59 = 59;'),
      reference.replace('const v10 = 10;\n', ''),
      reference.replace('const v0 = 0;\n', '// TODO\n\n'),
    ];
    for (const starter of cases) {
      const patch = makeStarterPatch(NAME, reference, starter);
      expect(patch.startsWith(`--- ${NAME}\n+++ ${NAME}\n@@ `)).toBe(true);
      expect(applyStarterPatch(reference, patch)).toEqual({ ok: true, starter });
    }
    const noNewline = lines(5).join('\n');
    const starter = noNewline.replace('v4 = 4', 'v4 = 40');
    expect(applyStarterPatch(noNewline, makeStarterPatch(NAME, noNewline, starter))).toEqual({ ok: true, starter });
  });

  it('still applies when the reference changed away from its hunks', () => {
    const reference = `${lines(60).join('\n')}\n`;
    const patch = makeStarterPatch(NAME, reference, reference.replace('v30 = 30', 'v30 = 0'));
    const edited = `// new header\n${reference.replace('v50 = 50', 'v50 = 5')}`;
    expect(applyStarterPatch(edited, patch)).toEqual({ ok: true, starter: edited.replace('v30 = 30', 'v30 = 0') });
  });

  it('names the hunk that no longer matches, and the file', () => {
    const reference = `${lines(60).join('\n')}\n`;
    const starter = reference.replace('v5 = 5', 'v5 = 0').replace('v25 = 25', 'v25 = 0').replace('v45 = 45', 'v45 = 0');
    const patch = makeStarterPatch(NAME, reference, starter);
    const result = applyStarterPatch(reference.replace('v26 = 26', 'v26 = 2600'), patch, NAME);
    expect(result).toEqual({ ok: false, reason: `no longer applies to ${NAME}: hunk 2 of 3 (@@ -23,7 +23,7 @@) does not match it` });
  });

  it('refuses what is not a patch of one file', () => {
    expect(applyStarterPatch('x\n', 'just text\n', NAME)).toEqual({ ok: false, reason: `changes nothing: the starter would be ${NAME} itself` });
    const two = makeStarterPatch('a.ts', 'x\n', 'y\n') + makeStarterPatch('b.ts', 'x\n', 'y\n');
    expect(applyStarterPatch('x\n', two, NAME)).toMatchObject({ ok: false, reason: `patches 2 files; it must patch exactly one, ${NAME}` });
    expect(applyStarterPatch('x\n', '--- a.ts\n@@ -1 +1 @@\n-x\n+y\n', NAME)).toMatchObject({ ok: false, reason: expect.stringMatching(/^is not a unified diff/) });
    expect(patchedFileName(makeStarterPatch(NAME, 'x\n', 'y\n'))).toBe(NAME);
  });
});
