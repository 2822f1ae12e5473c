/**
 * One pattern: Learn (its lesson), Code (its editable files) and Lab (the
 * live run). The run and its event stream live here, so the Code tab can mark
 * runtime errors and the Lab tab can show deploys from the same stream.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { PatternDetail } from '../../../../server/http/api-types.ts';
import { api } from '../../api/client.ts';
import { useLiveRun } from '../../api/live.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { isTyping } from '../../components/shortcuts.ts';
import { LearnTab } from './learn/LearnTab.tsx';
import { LabTab } from './lab/LabTab.tsx';

// Monaco is large: it loads only when the Code tab is opened.
const CodeTab = lazy(() => import('./code/CodeTab.tsx'));

const TABS = [
  { id: 'learn', label: 'Learn' },
  { id: 'code', label: 'Code' },
  { id: 'lab', label: 'Lab' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

export default function PatternPage({ id, tab }: { id: string; tab?: string | undefined }) {
  const [pattern, setPattern] = useState<PatternDetail>();
  const [error, setError] = useState<unknown>();
  const [runId, setRunId] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [, navigate] = useLocation();
  const active: TabId = TABS.some((t) => t.id === tab) ? (tab as TabId) : 'learn';
  const live = useLiveRun(runId, { paused });

  const reload = useCallback(() => api.pattern(id).then(setPattern, setError), [id]);
  useEffect(() => {
    setPattern(undefined);
    setRunId(undefined);
    void reload();
    // Pick up a run already going for this pattern (started earlier, or in another tab).
    api.runs(id).then((runs) => setRunId((current) => current ?? runs.find((r) => r.live)?.id), () => undefined);
  }, [id, reload]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const index = ['1', '2', '3'].indexOf(event.key);
      if (index >= 0) navigate(`/patterns/${id}/${TABS[index]!.id}`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id, navigate]);

  if (error) return <ErrorNotice error={error} title={`Could not load ${id}`} />;
  if (!pattern) return <p className="muted">Loading…</p>;
  return (
    <article className="pattern-page">
      <header className="pattern-head">
        <div>
          <Link href="/" className="muted">
            Catalog
          </Link>{' '}
          <span className="muted">/ {pattern.category}</span>
          <h1>{pattern.title}</h1>
          <p className="muted summary">{pattern.summary}</p>
        </div>
        <nav className="tabs" role="tablist">
          {TABS.map((t, index) => (
            <Link
              key={t.id}
              href={`/patterns/${id}/${t.id}`}
              role="tab"
              aria-selected={active === t.id}
              className={`tab ${active === t.id ? 'active' : ''}`}
              title={`${t.label} (${index + 1})`}
            >
              {t.label}
              {t.id === 'lab' && runId && live.connected && <span className="live-dot" aria-label="run going" />}
            </Link>
          ))}
        </nav>
      </header>
      {active === 'learn' && <LearnTab markdown={pattern.docs} />}
      {active === 'code' && (
        <Suspense fallback={<p className="muted">Loading the editor…</p>}>
          <CodeTab pattern={pattern} live={live} onSaved={reload} />
        </Suspense>
      )}
      {active === 'lab' && (
        <LabTab pattern={pattern} runId={runId} onRunChange={setRunId} live={live} paused={paused} onPausedChange={setPaused} />
      )}
    </article>
  );
}
