/**
 * A ```mermaid block drawn as SVG. The mermaid package is large, so it is
 * imported only when the first diagram mounts; diagrams are redrawn in the
 * app's colours when the theme changes, and a diagram that fails to render
 * shows its source and the parser's message instead.
 *
 * A diagram keeps a readable size: it shrinks with the column only until its
 * labels reach 12 px, and scrolls sideways beyond that (diagram-size.ts).
 * Clicking it, or its "open full size" button, shows it large in a modal dialog
 * (Escape, the close button or a click outside close it).
 */
import { useEffect, useId, useMemo, useRef, useState, type MouseEvent } from 'react';
import { DIAGRAM_FONT_PX, dialogScale, dialogSvg, pageSvg, svgSize } from './diagram-size.ts';
import { themeColor, useAppTheme, type AppTheme } from './theme.ts';
import { useScrollsSideways } from './useScrollsSideways.ts';

type Mermaid = (typeof import('mermaid'))['default'];

let loading: Promise<Mermaid> | undefined;
const loadMermaid = (): Promise<Mermaid> => (loading ??= import('mermaid').then((module) => module.default));

/** Mermaid's settings are global: renders go one at a time so each gets its own theme. */
let queue: Promise<unknown> = Promise.resolve();

const themeVariables = (theme: AppTheme) => ({
  darkMode: theme === 'dark',
  background: themeColor('--panel'),
  fontFamily: themeColor('--sans'),
  fontSize: `${DIAGRAM_FONT_PX}px`,
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
      // Natural sizes (no width="100%"): pageSvg decides how far a diagram may shrink.
      flowchart: { useMaxWidth: false },
      sequence: { useMaxWidth: false },
      // State diagrams: more room between states and ranks, so transition labels
      // (several between the same two states in the circuit breaker's) do not collide.
      state: { useMaxWidth: false, nodeSpacing: 80, rankSpacing: 80 },
      // Opaque label backgrounds: an edge passing behind a label does not run through its text.
      themeCSS: `.edgeLabel rect, .edgeLabel .label rect { opacity: 1; } .labelBkg { background-color: ${themeColor('--bg')}; }`,
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

/** Room the dialog leaves around the diagram: its padding and its header (px). */
const DIALOG_CHROME = { width: 64, height: 120 };

/** The diagram large, in a modal <dialog>: Escape (the browser's), the close button or a click on the backdrop close it. */
const DiagramDialog = ({ svg, onClose }: { svg: string; onClose: () => void }) => {
  const ref = useRef<HTMLDialogElement>(null);
  const large = useMemo(() => {
    const natural = svgSize(svg);
    if (!natural) return svg;
    const available = {
      width: window.innerWidth * 0.96 - DIALOG_CHROME.width,
      height: window.innerHeight * 0.94 - DIALOG_CHROME.height,
    };
    return dialogSvg(svg, dialogScale(natural, available));
  }, [svg]);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // A click on the backdrop lands on the <dialog> itself (its content fills it otherwise).
  const onClick = (event: MouseEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) ref.current?.close();
  };

  return (
    <dialog ref={ref} className="diagram-dialog" aria-label="Diagram, full size" onClose={onClose} onClick={onClick}>
      <div className="diagram-dialog-head">
        <span className="muted">Diagram, full size</span>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
      {/* mermaid's output, rendered with securityLevel 'strict' (labels sanitised, no scripts or click handlers). */}
      <div className="diagram-dialog-body" dangerouslySetInnerHTML={{ __html: large }} />
    </dialog>
  );
};

export const MermaidDiagram = ({ source }: { source: string }) => {
  const theme = useAppTheme();
  const id = `mermaid-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const [drawing, setDrawing] = useState<Drawing>();
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);

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

  const svg = drawing && 'svg' in drawing ? drawing.svg : undefined;
  const inPage = useMemo(() => (svg === undefined ? undefined : pageSvg(svg)), [svg]);
  // A diagram wider than the column scrolls sideways: then the keyboard can focus and scroll it.
  const { ref: figure, scrolls } = useScrollsSideways<HTMLElement>(inPage);

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
  if (svg === undefined || inPage === undefined) {
    return (
      <figure className="mermaid-diagram loading" aria-busy="true">
        <span className="muted">Drawing the diagram…</span>
      </figure>
    );
  }
  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };
  const onFigureClick = (event: MouseEvent<HTMLElement>) => {
    const figure = event.currentTarget;
    // Not when the click was on the figure's sideways scrollbar, or ended selecting the diagram's words.
    const box = figure.getBoundingClientRect();
    if (event.clientY > box.top + figure.clientTop + figure.clientHeight) return;
    if (window.getSelection()?.isCollapsed === false) return;
    setOpen(true);
  };
  return (
    <div className="mermaid-frame">
      {/* A click anywhere on the diagram opens it; the button is the same action for the keyboard. */}
      {/* mermaid's output, rendered with securityLevel 'strict' (labels sanitised, no scripts or click handlers). */}
      <figure ref={figure} className="mermaid-diagram" title="Click to open the diagram full size" onClick={onFigureClick} tabIndex={scrolls ? 0 : undefined}>
        <div className="mermaid-svg" dangerouslySetInnerHTML={{ __html: inPage }} />
      </figure>
      <button
        ref={trigger}
        type="button"
        className="mermaid-expand"
        aria-haspopup="dialog"
        aria-label="Open the diagram full size"
        title="Open the diagram full size"
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">⤢</span>
      </button>
      {open && <DiagramDialog svg={svg} onClose={close} />}
    </div>
  );
};
