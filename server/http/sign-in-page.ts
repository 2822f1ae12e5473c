/**
 * The page a browser gets when it cannot be let in: a `?token=` that is not this
 * workbench's, or a page request with no valid cookie (never opened the printed URL,
 * or signed in to an earlier launch that had another token). It says what happened and
 * what to do, in one self-contained document (inline CSS, no fonts, no scripts, no
 * requests of its own), readable in light and dark.
 *
 * It never echoes what the request carried: not the token, not the path. The only
 * value put in is this workbench's own port, escaped all the same.
 */

export type SignInProblem =
  /** `/?token=…` with a token that is not this workbench's. */
  | 'wrong-token'
  /** A page opened with no token at all: no cookie, no `?token=`. */
  | 'no-token'
  /** A cookie that is not this workbench's token: an earlier launch's. */
  | 'stale-cookie';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const WHAT_HAPPENED: Record<SignInProblem, { title: string; lead: string }> = {
  'wrong-token': {
    title: 'This link’s token is not this workbench’s',
    lead:
      'This link’s token is not this workbench’s: the workbench was restarted, or the link is from another one. ' +
      'The workbench picks a new token each time it starts, unless it is given one.',
  },
  'no-token': {
    title: 'Open the workbench with its URL',
    lead:
      'This page was opened without the workbench’s token. The workbench runs the code sent to it, so it lets in ' +
      'only the browser that opened the URL it printed.',
  },
  'stale-cookie': {
    title: 'The workbench was restarted with a new token',
    lead:
      'This browser signed in to an earlier launch of the workbench: its token is not this workbench’s. ' +
      'The workbench was restarted (it picks a new token each time it starts, unless it is given one), or another one now answers on this port.',
  },
};

/** Headers for the page: it is not cached, not sniffed, and may load nothing but its own inline style. */
export const SIGN_IN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // No script runs on it; connect-src lets the browser's own tools (and the tests) ask the API, which answers 401.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

/** The page's HTML. `port` is this workbench's (for the example URL). */
export const signInPage = (problem: SignInProblem, port: number): string => {
  const { title, lead } = WHAT_HAPPENED[problem];
  const origin = escapeHtml(`http://127.0.0.1:${Number.isInteger(port) && port > 0 ? port : 'PORT'}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Sign-in problem · Patterns Workbench</title>
<style>
:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --panel: #ffffff; --panel-2: #f0f0ec; --text: #1d1d1b; --muted: #66665f;
  --border: #dcdcd5; --accent: #2f5bd3; --warn: #9a6518;
  --mono: ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  --sans: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15161a; --panel: #1d1f24; --panel-2: #262930; --text: #e6e6e2; --muted: #a3a39c;
    --border: #34373f; --accent: #7ea2ff; --warn: #e0a84a;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 16px/1.55 var(--sans); }
main { max-width: 44rem; margin: 8vh auto 3rem; padding: 0 1.25rem; }
.card { background: var(--panel); border: 1px solid var(--border); border-top: 4px solid var(--warn); border-radius: 10px; padding: 1.4rem 1.6rem 1.2rem; }
.brand { margin: 0 0 0.6rem; font-size: 0.85rem; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 0 0 0.8rem; font-size: 1.5rem; line-height: 1.25; }
h2 { margin: 1.4rem 0 0.4rem; font-size: 1.05rem; }
p { margin: 0.5rem 0; }
ol { margin: 0.4rem 0; padding-left: 1.4rem; }
li { margin: 0.45rem 0; }
code, pre { font-family: var(--mono); font-size: 0.92em; }
code { background: var(--panel-2); border: 1px solid var(--border); border-radius: 4px; padding: 0 0.3em; }
pre { background: var(--panel-2); border: 1px solid var(--border); border-radius: 6px; padding: 0.6rem 0.8rem; overflow-x: auto; margin: 0.5rem 0; }
pre code { background: none; border: 0; padding: 0; }
.muted { color: var(--muted); font-size: 0.92rem; }
.status { font-family: var(--mono); color: var(--muted); font-size: 0.85rem; }
</style>
</head>
<body>
<main>
<div class="card" role="alert">
<p class="brand">Patterns Workbench</p>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(lead)}</p>
<h2>What to do</h2>
<ol>
<li>Open the URL the workbench printed in its terminal when it started:
<pre><code>Workbench ready at ${origin}/?token=…</code></pre>
It signs this browser in; the token then leaves the address bar and a cookie carries it.</li>
<li>No terminal at hand? Stop the workbench (Ctrl+C) and start it again with <code>npm start</code>: it prints a new URL.</li>
<li>Started with a fixed token? Then the URL stays the same across restarts: <code>npm start -- --token YOUR-TOKEN</code> (or <code>WORKBENCH_TOKEN=YOUR-TOKEN</code>), and open <code>${origin}/?token=YOUR-TOKEN</code>.</li>
</ol>
<p class="muted">The workbench runs the code sent to it, so every page and API call needs its token. Nothing was changed.</p>
<p class="status">401 · not signed in</p>
</div>
</main>
</body>
</html>
`;
};
