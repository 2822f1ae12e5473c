/**
 * A ```mermaid block drawn as SVG. The mermaid package is large, so it is
 * imported only when the first diagram mounts; diagrams are redrawn in the
 * app's colours when the theme changes, and a diagram that fails to render
 * shows its source and the parser's message instead.
 */
import { useEffect, useId, useState } from 'react';
import { themeColor, useAppTheme, type AppTheme } from './theme.ts';

type Mermaid = (typeof import('mermaid'))['default'];

let loading: Promise<Mermaid> | undefined;
const loadMermaid = (): Promise<Mermaid> => (loading ??= import('mermaid').then((module) => module.default));

/** Mermaid's settings are global: renders go one at a time so each gets its own theme. */
let queue: Promise<unknown> = Promise.resolve();

const themeVariables = (theme: AppTheme) => ({
  darkMode: theme === 'dark',
  background: themeColor('--panel'),
  fontFamily: themeColor('--sans'),
  fontSize: '14px',
  primaryColor: themeColor('--panel-2'),
  primaryTextColor: themeColor('--text'),
  primaryBorderColor: themeColor('--accent'),
  secondaryColor: themeColor('--panel'),
  tertiaryColor: themeColor('--panel'),
  lineColor: themeColor('--muted'),
  textColor: themeColor('--text'),
  labelBackgroundColor: themeColor('--bg'),
  edgeLabelBackground: themeColor('--bg'),
  noteBkgColor: themeColor('--panel-2'),
  noteTextColor: themeColor('--text'),
  noteBorderColor: themeColor('--warn'),
});

const render = (id: string, source: string, theme: AppTheme): Promise<string> => {
  const job = queue.then(async () => {
    const mermaid = await loadMermaid();
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'base',
      themeVariables: themeVariables(theme),
    });
    try {
      return (await mermaid.render(id, source)).svg;
    } finally {
      // On a parse error mermaid can leave its scratch element (and an error graphic) in <body>.
      document.getElementById(id)?.remove();
      document.getElementById(`d${id}`)?.remove();
    }
  });
  queue = job.catch(() => undefined);
  return job;
};

type Drawing = { svg: string } | { error: string } | undefined;

export const MermaidDiagram = ({ source }: { source: string }) => {
  const theme = useAppTheme();
  const id = `mermaid-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const [drawing, setDrawing] = useState<Drawing>();

  useEffect(() => {
    let cancelled = false;
    render(id, source, theme).then(
      (svg) => !cancelled && setDrawing({ svg }),
      (error: unknown) => !cancelled && setDrawing({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [id, source, theme]);

  if (drawing && 'error' in drawing) {
    return (
      <figure className="mermaid-diagram failed">
        <figcaption className="notice error">The diagram could not be drawn: {drawing.error}</figcaption>
        <pre>
          <code>{source}</code>
        </pre>
      </figure>
    );
  }
  if (!drawing) {
    return (
      <figure className="mermaid-diagram loading" aria-busy="true">
        <span className="muted">Drawing the diagram…</span>
      </figure>
    );
  }
  // mermaid's output, rendered with securityLevel 'strict' (labels sanitised, no scripts or click handlers).
  return <figure className="mermaid-diagram" dangerouslySetInnerHTML={{ __html: drawing.svg }} />;
};
