/** A view in a collapsible panel, behind an error boundary: one broken view never takes the lab down. */
import { Component, useState, type ReactNode } from 'react';

export interface ViewFrameProps {
  title: string;
  description?: string | undefined;
  /** The lab's main view: the one its guide says to watch, drawn first and marked so. */
  main?: boolean;
  children: ReactNode;
}

export const ViewFrame = ({ title, description, main = false, children }: ViewFrameProps) => {
  const [open, setOpen] = useState(true);
  return (
    <section className={`panel view-frame ${main ? 'main-view' : ''} ${open ? '' : 'collapsed'}`} aria-label={title}>
      <header className="view-head">
        <button type="button" className="collapse" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? '▾' : '▸'} {title}
        </button>
        {open && description && <span className="view-description muted small">{description}</span>}
      </header>
      {open && <ViewBoundary title={title}>{children}</ViewBoundary>}
    </section>
  );
};

class ViewBoundary extends Component<{ title: string; children: ReactNode }, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="notice error" role="alert">
          The {this.props.title} view failed: {this.state.error.message}{' '}
          <button type="button" className="small-button" onClick={() => this.setState({ error: undefined })}>
            Retry
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
