/**
 * Markdown as the Learn tab renders it (GFM, highlighted code), for the
 * exercise's story, tasks and hints and the tour's steps.
 */
import Markdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import '../../styles/learn-code.css';
import { HIGHLIGHT_OPTIONS } from '../pattern/learn/highlight.ts';
import { isExternalLink } from '../pattern/learn/markdown.ts';

const REMARK_PLUGINS: Options['remarkPlugins'] = [remarkGfm];
const REHYPE_PLUGINS: Options['rehypePlugins'] = [[rehypeHighlight, HIGHLIGHT_OPTIONS]];

const COMPONENTS: Components = {
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
};

export const Prose = ({ children, className = '' }: { children: string; className?: string }) => (
  <div className={`markdown-body prose ${className}`}>
    <Markdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS}>
      {children}
    </Markdown>
  </div>
);

const INLINE_COMPONENTS: Components = { ...COMPONENTS, p: ({ children }) => <>{children}</> };

/** One line of markdown (a task's title) inside a heading or a label: no block elements around it. */
export const InlineProse = ({ children }: { children: string }) => (
  <Markdown remarkPlugins={REMARK_PLUGINS} components={INLINE_COMPONENTS}>
    {children}
  </Markdown>
);
