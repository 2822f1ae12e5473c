// Module resolution hooks for a sandboxed worker (registered by bootstrap.mjs, after tsx, so they
// run first): the run-time half of the compiler's import allow-list. The compiler refuses every
// import it can see; code can still build one it cannot, `eval("import('node:child_process')")`
// or `new Function(…)`. Those resolve with the calling module as their parent, so here any import
// whose parent is not trusted code (a file of the project or of the workbench itself) — that is, a
// lab bundle, which lives outside both — may resolve only to the kit. Plain JavaScript: hooks run on the
// loader thread, before any TypeScript support.

const asFolder = (url) => (url.endsWith('/') ? url : url + '/');
let trustedPrefixes = [];
let kitPrefix = '';

export function initialize(data) {
  trustedPrefixes = data.trustedUrls.map(asFolder);
  kitPrefix = asFolder(data.kitUrl);
}

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  // The worker's entry (no parent) and the workbench's own modules resolve as usual.
  if (parent === undefined || trustedPrefixes.some((prefix) => parent.startsWith(prefix))) return next(specifier, context);
  let resolved;
  try {
    resolved = await next(specifier, context);
  } catch {
    // Whatever it names, it is not the kit (and where it was looked for is none of lab code's business).
  }
  if (resolved?.url.startsWith(kitPrefix)) return resolved;
  const error = new Error(
    `Import "${specifier}" is not allowed in the lab sandbox: lab code may import only the pattern's own files and the kit, ` +
      'and only with imports the compiler can see (not built with eval or new Function).',
  );
  error.code = 'ERR_SANDBOX_IMPORT_REFUSED';
  throw error;
}
