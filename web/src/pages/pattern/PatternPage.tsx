/**
 * One pattern: Learn (its lesson), Code (its editable files), Lab (the live
 * run, with the guided tour heading its controls) and Exercises. The run and its event
 * stream live here, so the Code tab can mark runtime errors, the Lab tab can
 * show deploys from the same stream and the tour can follow it.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { PatternDetail } from '../../../../server/protocol/api.ts';
import { api } from '../../api/client.ts';
import { useLiveRun } from '../../api/live.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { isTyping } from '../../components/shortcuts.ts';
import { usePageTitle } from '../../usePageTitle.ts';
import { categoryLabel } from '../catalog/catalog.ts';
import { LearnTab } from './learn/LearnTab.tsx';
import { ExercisesTab } from './exercises/ExercisesTab.tsx';
import { LabTab } from './lab/LabTab.tsx';
import { TourInvite, TourPanel } from './tour/TourPanel.tsx';
import { useTourSession } from './tour/useTourSession.ts';

// Monaco is large: it loads only when the Code tab is opened.
const CodeTab = lazy(() => import('./code/CodeTab.tsx'));

const TABS = [
  { id: 'learn', label: 'Learn' },
  { id: 'code', label: 'Code' },
  { id: 'lab', label: 'Lab' },
  { id: 'exercises', label: 'Exercises' },
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
  const tour = useTourSession(pattern?.tour, id, runId, live);
  const { runStarted } = tour;
  const changeRun = useCallback(
    (next: string | undefined) => {
      setRunId(next);
      runStarted(next);
    },
    [runStarted],
  );

  usePageTitle(pattern?.title ?? (error ? id : undefined), TABS.find((t) => t.id === active)!.label);

  const reload = useCallback(() => api.pattern(id).then(setPattern, setError), [id]);
  useEffect(() => {
    setPattern(undefined);
    // A run named in the address (`?run=`, as "Try it in the lab" opens it) is the one shown.
    const named = new URLSearchParams(window.location.search).get('run') ?? undefined;
    setRunId(named);
    void reload();
    // Otherwise pick up a run already going for this pattern (started earlier, or in another tab).
    if (!named) api.runs(id).then((runs) => setRunId((current) => current ?? runs.find((r) => r.live)?.id), () => undefined);
  }, [id, reload]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const index = ['1', '2', '3', '4'].indexOf(event.key);
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
          <span className="muted breadcrumb-category">/ {categoryLabel(pattern.category)}</span>
          <h1>{pattern.title}</h1>
          <p className="muted summary">{pattern.summary}</p>
        </div>
        {/* Tabs that are links: one tab stop, the arrow keys move between them, Enter opens one (the URL follows). */}
        <div className="tabs" role="tablist" aria-label="Pattern sections" onKeyDown={moveBetweenTabs}>
          {TABS.map((t, index) => (
            <Link
              key={t.id}
              id={`tab-${t.id}`}
              href={`/patterns/${id}/${t.id}`}
              role="tab"
              aria-selected={active === t.id}
              aria-controls={active === t.id ? 'pattern-tab-panel' : undefined}
              tabIndex={active === t.id ? 0 : -1}
              className={`tab ${active === t.id ? 'active' : ''}`}
              title={`${t.label} (${index + 1})`}
            >
              {t.label}
              {t.id === 'lab' && runId && live.connected && <span className="live-dot" role="img" aria-label="run going" />}
            </Link>
          ))}
        </div>
      </header>
      <div role="tabpanel" id="pattern-tab-panel" aria-labelledby={`tab-${active}`}>
        {active === 'learn' && <LearnTab markdown={pattern.docs} />}
        {active === 'code' && (
          <Suspense fallback={<p className="muted">Loading the editor…</p>}>
            <CodeTab pattern={pattern} live={live} onSaved={reload} />
          </Suspense>
        )}
        {active === 'lab' && pattern.tour && !tour.open && <TourInvite tour={pattern.tour} onStart={() => tour.setOpen(true)} />}
        {active === 'lab' && (
          <LabTab
            pattern={pattern}
            runId={runId}
            onRunChange={changeRun}
            live={live}
            paused={paused}
            onPausedChange={setPaused}
            tour={pattern.tour && tour.open ? <TourPanel tour={pattern.tour} labs={pattern.labs} runId={runId} live={live} session={tour} /> : undefined}
          />
        )}
        {active === 'exercises' && <ExercisesTab patternId={pattern.id} />}
      </div>
    </article>
  );
}

/** Arrow keys, Home and End move the focus along the tabs (and round); Enter then opens the focused one. */
const moveBetweenTabs = (event: ReactKeyboardEvent<HTMLDivElement>) => {
  const tabs = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')];
  const at = tabs.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  tabs[(next + tabs.length) % tabs.length]!.focus();
};
