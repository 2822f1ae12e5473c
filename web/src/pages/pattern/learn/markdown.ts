/**
 * Pure helpers for rendering a pattern's README: no React, no DOM, so they
 * are unit-tested in node.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';

/**
 * The README without its leading `# Title`: the pattern page already shows the
 * title as its own heading, and two identical headings in a row read as a glitch.
 */
export const stripLeadingTitle = (markdown: string): string => markdown.replace(/^\s*# [^\n]*\n+/, '');

/** The plain text of a hast node (a code block's source, a heading's words). */
export const hastText = (node: Root | RootContent | ElementContent): string => {
  if (node.type === 'text') return node.value;
  if ('children' in node) return (node.children as Array<RootContent>).map(hastText).join('');
  return '';
};

/** The fenced language of a `<code>` element's className (`language-ts` → `ts`), if any. */
export const languageOf = (className: unknown): string | undefined => {
  const names = Array.isArray(className) ? className : typeof className === 'string' ? className.split(/\s+/) : [];
  for (const name of names) {
    if (typeof name === 'string' && name.startsWith('language-')) return name.slice('language-'.length);
  }
  return undefined;
};

/** The `<code>` element directly inside a `<pre>`, as markdown produces for fenced blocks. */
export const codeChild = (pre: Element | undefined): Element | undefined =>
  pre?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');

/** A URL-fragment id for a heading: lower case, words joined by dashes, punctuation dropped. */
export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-');

const visitElements = (node: Root | Element, visit: (element: Element) => void): void => {
  for (const child of node.children) {
    if (child.type === 'element') {
      visit(child);
      visitElements(child, visit);
    }
  }
};

/**
 * A rehype plugin giving every h2 and h3 a unique id (`when-to-use-it`,
 * `when-to-use-it-2`), so the outline beside the text can link to them.
 */
export const rehypeHeadingIds = () => (tree: Root) => {
  const seen = new Map<string, number>();
  visitElements(tree, (element) => {
    if (element.tagName !== 'h2' && element.tagName !== 'h3') return;
    const base = slugify(hastText(element)) || 'section';
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    element.properties.id = count === 1 ? base : `${base}-${count}`;
  });
};

/** True for links that leave the workbench (they open in a new tab). */
export const isExternalLink = (href: string | undefined): boolean => /^https?:\/\//i.test(href ?? '');
