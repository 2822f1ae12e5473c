/** The workbench's pages: the catalog, one page per pattern (Learn, Code, Lab, Exercises) and one per exercise. */
import { lazy, Suspense } from 'react';
import { Link, Route, Switch } from 'wouter';
import { ConnectionNotice } from './components/ConnectionNotice.tsx';
import { ShortcutsOverlay } from './components/ShortcutsOverlay.tsx';
import { ThemeToggle } from './components/ThemeToggle.tsx';
import { CatalogPage } from './pages/catalog/CatalogPage.tsx';

// The pattern page pulls in charts and (on its Code tab) Monaco: not on the first page.
const PatternPage = lazy(() => import('./pages/pattern/PatternPage.tsx'));
// An exercise page has an editor too: Monaco comes with it, never with the catalog.
const ExercisePage = lazy(() => import('./pages/exercises/ExercisePage.tsx'));

export const App = () => (
  <div className="app">
    <header className="topbar">
      <Link href="/" className="brand">
        Patterns Workbench
      </Link>
      {/* Settings, not navigation: no <nav> landmark for them. */}
      <div className="topbar-actions">
        <ThemeToggle />
        <ShortcutsOverlay />
      </div>
    </header>
    <ConnectionNotice />
    <main className="content">
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <Switch>
          <Route path="/" component={CatalogPage} />
          <Route path="/patterns/:id/:tab?">{(params) => <PatternPage id={params.id} tab={params.tab} />}</Route>
          <Route path="/exercises/:id">{(params) => <ExercisePage id={params.id} />}</Route>
          <Route>
            <p>
              Nothing here. <Link href="/">Back to the catalog</Link>
            </p>
          </Route>
        </Switch>
      </Suspense>
    </main>
  </div>
);
