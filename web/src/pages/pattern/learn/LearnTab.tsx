/**
 * The pattern's lesson: its README as typeset markdown (GFM tables, highlighted
 * code, mermaid diagrams), with an outline of its sections beside it on wide
 * screens.
 */
import { useEffect, useMemo, useRef, useState, type ComponentProps, type MouseEvent, type ReactNode } from 'react';
import Markdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { useParams } from 'wouter';
import { useLessonReadMark } from '../../../progress/hooks.ts';
import '../../../styles/learn-code.css';
import { HIGHLIGHT_OPTIONS } from './highlight.ts';
import { codeChild, hastText, isExternalLink, languageOf, rehypeHeadingIds, stripLeadingTitle } from './markdown.ts';
import { MermaidDiagram } from './MermaidDiagram.tsx';
import { useScrollsSideways } from './useScrollsSideways.ts';

const REMARK_PLUGINS: Options['remarkPlugins'] = [remarkGfm];
const REHYPE_PLUGINS: Options['rehypePlugins'] = [[rehypeHighlight, HIGHLIGHT_OPTIONS], rehypeHeadingIds];

const COMPONENTS: Components = {
  pre: ({ node, children, ...props }) => {
    const code = codeChild(node);
    if (code && languageOf(code.properties.className) === 'mermaid') return <MermaidDiagram source={hastText(code).trimEnd()} />;
    return <ScrollablePre {...props}>{children}</ScrollablePre>;
  },
  a: ({ node: _node, href, children, ...props }) =>
    isExternalLink(href) ? (
      <a {...props} href={href} target="_blank" rel="noreferrer noopener">
        {children}
      </a>
    ) : (
      <a {...props} href={href}>
        {children}
      </a>
    ),
  // A table flows with the page at its full height; only one wider than the column scrolls, sideways.
  table: ({ node: _node, children, ...props }) => (
    <ScrollableTable>
      <table {...props}>{children}</table>
    </ScrollableTable>
  ),
};

/**
 * A code block, or a table's box. One wider than the column scrolls sideways, so it takes the
 * keyboard's focus then (arrow keys scroll it); one that fits is not a tab stop.
 */
const ScrollablePre = (props: ComponentProps<'pre'>) => {
  const { ref, scrolls } = useScrollsSideways<HTMLPreElement>();
  return <pre {...props} ref={ref} tabIndex={scrolls ? 0 : undefined} />;
};

const ScrollableTable = ({ children }: { children: ReactNode }) => {
  const { ref, scrolls } = useScrollsSideways<HTMLDivElement>();
  return (
    <div className="table-scroll" ref={ref} tabIndex={scrolls ? 0 : undefined}>
      {children}
    </div>
  );
};

interface OutlineEntry {
  id: string;
  text: string;
}

/** The h2 sections as rendered (ids come from rehypeHeadingIds). */
const useOutline = (markdown: string) => {
  const ref = useRef<HTMLDivElement>(null);
  const [outline, setOutline] = useState<OutlineEntry[]>([]);
  useEffect(() => {
    const headings = ref.current?.querySelectorAll<HTMLHeadingElement>('h2[id]') ?? [];
    setOutline([...headings].map((h) => ({ id: h.id, text: h.textContent ?? '' })));
  }, [markdown]);
  return { ref, outline };
};

export const LearnTab = ({ markdown }: { markdown: string }) => {
  const source = useMemo(() => stripLeadingTitle(markdown), [markdown]);
  const { ref, outline } = useOutline(source);
  useLessonReadMark(useParams<{ id?: string }>().id, ref);
  const jump = (id: string) => (event: MouseEvent) => {
    // The router owns the URL: scroll without changing it.
    event.preventDefault();
    const heading = document.getElementById(id);
    if (!heading) return;
    heading.scrollIntoView({ behavior: 'smooth', block: 'start' });
    // The keyboard goes on from the section, not from the outline: the heading takes the focus.
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  };
  return (
    <div className="learn">
      <div className="markdown-body" ref={ref}>
        <Markdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS}>
          {source}
        </Markdown>
      </div>
      {outline.length > 2 && (
        <nav className="learn-outline" aria-label="On this page">
          <p className="learn-outline-title">On this page</p>
          <ul>
            {outline.map((entry) => (
              <li key={entry.id}>
                <a href={`#${entry.id}`} onClick={jump(entry.id)}>
                  {entry.text}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </div>
  );
};
