/**
 * The plain root page, until the web app is built: the patterns, and how to
 * reach the API. It carries no data a stranger should not see: the pattern
 * list is public teaching material.
 */
import type { PatternRegistry } from '../patterns/registry.ts';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const landingPage = (registry: PatternRegistry): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Patterns Workbench</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>Patterns Workbench</h1>
<p>Backend patterns, running live. The browser workbench is on its way; meanwhile every lab is reachable through the API (see the README).</p>
<ul>
${registry
  .list()
  .map(({ manifest }) => `<li><strong>${escape(manifest.title)}</strong> (<code>${escape(manifest.id)}</code>, ${escape(manifest.category)}): ${escape(manifest.summary)}</li>`)
  .join('\n')}
</ul>
<p>API: <code>GET /api/patterns</code>, <code>POST /api/runs</code>, <code>WS /api/live?run=ID</code>.</p>
</body>
</html>
`;
