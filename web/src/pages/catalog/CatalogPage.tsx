/** The catalog: every pattern, grouped by category, with a filter, each one's live state and exercises solved. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { ExerciseSummary, PatternSummary } from '../../../../server/protocol/api.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { ProgressMenu } from '../exercises/ProgressMenu.tsx';
import { exerciseCounts, groupByCategory, type ExerciseCount } from './catalog.ts';

export const CatalogPage = () => {
  const [patterns, setPatterns] = useState<PatternSummary[]>();
  const [error, setError] = useState<unknown>();
  const [filter, setFilter] = useState('');
  const [exercises, setExercises] = useState<ExerciseSummary[]>();
  // Progress is extra: the catalog shows without it if it does not load.
  const loadExercises = useCallback(() => api.exercises().then(setExercises, () => undefined), []);
  useEffect(() => {
    api.patterns().then(setPatterns, setError);
    void loadExercises();
  }, [loadExercises]);
  const counts = useMemo(() => exerciseCounts(exercises ?? []), [exercises]);
  const groups = useMemo(() => groupByCategory(patterns ?? [], filter), [patterns, filter]);
  usePageTitle('Catalog');

  if (error) return <ErrorNotice error={error} />;
  return (
    <section className="catalog">
      <div className="catalog-head">
        <h1>Backend patterns, live</h1>
        <p className="muted">Pick a pattern, start its lab, break its downstreams and watch what it does. Then change its code.</p>
        <input
          type="search"
          className="filter"
          placeholder="Filter patterns…"
          aria-label="Filter patterns"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          autoFocus
        />
        {exercises && exercises.length > 0 && (
          <ProgressMenu solved={exercises.filter((e) => e.status === 'solved').length} total={exercises.length} onImported={() => void loadExercises()} />
        )}
      </div>
      {!patterns && <p className="muted">Loading…</p>}
      {patterns && groups.length === 0 && <p className="muted">No pattern matches “{filter}”.</p>}
      {groups.map(({ category, label, patterns: items }) => (
        <section key={category} className="category">
          <h2>{label}</h2>
          <ul className="cards">
            {items.map((p) => (
              <li key={p.id}>
                <Link href={`/patterns/${p.id}`} className="card">
                  <span className="card-title">{p.title}</span>
                  <span className="card-summary">{p.summary}</span>
                  <span className="card-state">
                    {p.liveRuns.length > 0 ? (
                      <span className="badge live">● {p.liveRuns.length === 1 ? 'run going' : `${p.liveRuns.length} runs going`}</span>
                    ) : (
                      <span className="badge">idle</span>
                    )}
                    <ExercisesBadge count={counts.get(p.id)} />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
};

const ExercisesBadge = ({ count }: { count: ExerciseCount | undefined }) =>
  count ? (
    <span className={`badge exercises ${count.solved === count.total ? 'solved' : ''}`} title="Exercises solved">
      {count.solved} / {count.total} exercises solved
    </span>
  ) : null;
