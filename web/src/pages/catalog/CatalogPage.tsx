/** The catalog: every pattern, grouped by category, with a filter and each one's live state. */
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { PatternSummary } from '../../../../server/http/api-types.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { groupByCategory } from './catalog.ts';

export const CatalogPage = () => {
  const [patterns, setPatterns] = useState<PatternSummary[]>();
  const [error, setError] = useState<unknown>();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    api.patterns().then(setPatterns, setError);
  }, []);
  const groups = useMemo(() => groupByCategory(patterns ?? [], filter), [patterns, filter]);

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
