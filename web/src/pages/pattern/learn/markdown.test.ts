import type { Element, Root } from 'hast';
import { describe, expect, it } from 'vitest';
import { codeChild, hastText, isExternalLink, languageOf, rehypeHeadingIds, slugify, stripLeadingTitle } from './markdown.ts';

const text = (value: string) => ({ type: 'text' as const, value });
const element = (tagName: string, children: Element['children'] = [], properties: Element['properties'] = {}): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});

describe('stripLeadingTitle', () => {
  it('drops the first-level title the page already shows', () => {
    expect(stripLeadingTitle('# Circuit breaker\n\n## Intent\n\nStop calling…')).toBe('## Intent\n\nStop calling…');
  });
  it('keeps everything else, including later # headings and a missing title', () => {
    expect(stripLeadingTitle('## Intent\n# Not first')).toBe('## Intent\n# Not first');
    expect(stripLeadingTitle('Text first\n# Title')).toBe('Text first\n# Title');
  });
});

describe('languageOf', () => {
  it('reads the fenced language from the code element className', () => {
    expect(languageOf(['hljs', 'language-mermaid'])).toBe('mermaid');
    expect(languageOf('language-ts')).toBe('ts');
  });
  it('is undefined for a block without a language', () => {
    expect(languageOf(undefined)).toBeUndefined();
    expect(languageOf(['hljs'])).toBeUndefined();
  });
});

describe('hastText and codeChild', () => {
  it('collects the source of a fenced block, including highlighted spans', () => {
    const code = element('code', [element('span', [text('const')], { className: ['hljs-keyword'] }), text(' x = 1;\n')]);
    const pre = element('pre', [code]);
    expect(codeChild(pre)).toBe(code);
    expect(hastText(code)).toBe('const x = 1;\n');
  });
  it('finds no code element in a pre that has none', () => {
    expect(codeChild(element('pre', [text('plain')]))).toBeUndefined();
    expect(codeChild(undefined)).toBeUndefined();
  });
});

describe('slugify', () => {
  it('makes URL fragments from heading text', () => {
    expect(slugify('When not to use it')).toBe('when-not-to-use-it');
    expect(slugify("Python's version, and where it goes wrong")).toBe('pythons-version-and-where-it-goes-wrong');
    expect(slugify('Composing with retries — and timeouts')).toBe('composing-with-retries-and-timeouts');
  });
});

describe('rehypeHeadingIds', () => {
  it('gives h2 and h3 unique ids and leaves other elements alone', () => {
    const tree: Root = {
      type: 'root',
      children: [
        element('h2', [text('Issues')]),
        element('p', [text('Issues')]),
        element('h3', [element('code', [text('isFailure')]), text(' errors')]),
        element('h2', [text('Issues')]),
      ],
    };
    rehypeHeadingIds()(tree);
    const ids = tree.children.map((c) => (c as Element).properties.id);
    expect(ids).toEqual(['issues', undefined, 'isfailure-errors', 'issues-2']);
  });
});

describe('isExternalLink', () => {
  it('is true only for http(s) URLs', () => {
    expect(isExternalLink('https://github.com/connor4312/cockatiel')).toBe(true);
    expect(isExternalLink('#intent')).toBe(false);
    expect(isExternalLink('/patterns/retry-backoff')).toBe(false);
    expect(isExternalLink(undefined)).toBe(false);
  });
});
