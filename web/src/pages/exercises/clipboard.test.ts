import { describe, expect, it } from 'vitest';
import { browserClipboard, copyText, type ClipboardWays } from './clipboard.ts';

const ways = (overrides: Partial<ClipboardWays> = {}) => {
  const copied: Array<{ via: 'api' | 'fallback'; text: string }> = [];
  const all: ClipboardWays = {
    writeText: async (text) => void copied.push({ via: 'api', text }),
    fallback: (text) => (copied.push({ via: 'fallback', text }), true),
    ...overrides,
  };
  return { all, copied };
};

describe('copyText', () => {
  it('copies through the Clipboard API when there is one, and only through it', async () => {
    const { all, copied } = ways();
    await expect(copyText('const a = 1;\n', all)).resolves.toBe(true);
    expect(copied).toEqual([{ via: 'api', text: 'const a = 1;\n' }]);
  });

  it('falls back to select-and-copy when the Clipboard API is missing or refuses', async () => {
    const missing = ways({ writeText: undefined });
    await expect(copyText('x', missing.all)).resolves.toBe(true);
    expect(missing.copied).toEqual([{ via: 'fallback', text: 'x' }]);

    const refused = ways({ writeText: () => Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError')) });
    await expect(copyText('y', refused.all)).resolves.toBe(true);
    expect(refused.copied).toEqual([{ via: 'fallback', text: 'y' }]);
  });

  it('says it did not copy when no way works', async () => {
    const refuse = () => Promise.reject(new Error('no'));
    await expect(copyText('z', { writeText: refuse, fallback: () => false })).resolves.toBe(false);
    await expect(copyText('z', { writeText: refuse, fallback: () => { throw new Error('no execCommand'); } })).resolves.toBe(false);
    await expect(copyText('z', { writeText: undefined, fallback: undefined })).resolves.toBe(false);
  });

  it('finds no way to copy outside a browser', () => {
    // Node has a navigator (without a clipboard) but no document.
    expect(browserClipboard()).toEqual({ writeText: undefined, fallback: undefined });
  });
});
