/**
 * Syntax highlighting for the README's code blocks: only the languages the
 * lessons use are registered (aliases like `ts`, `sh`, `py` come with them).
 * Mermaid blocks are left alone: they are drawn as diagrams.
 */
import bash from 'highlight.js/lib/languages/bash';
import http from 'highlight.js/lib/languages/http';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import type { Options } from 'rehype-highlight';

export const HIGHLIGHT_OPTIONS: Options = {
  languages: { bash, http, javascript, json, python, typescript },
  aliases: { bash: ['shell', 'console'], json: ['jsonc'] },
  plainText: ['mermaid', 'text', 'txt'],
  detect: false,
};
