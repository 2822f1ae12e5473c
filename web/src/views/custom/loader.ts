/**
 * Where a pattern's own view comes from: `patterns/<id>/<name>.view.tsx`,
 * bundled by the glob in CustomView.tsx. Kept apart from React so the lookup
 * is testable on its own.
 */

/** The key Vite gives a pattern's view file in a glob written from `web/src/views/custom/`. */
export const customViewKey = (patternId: string, component: string): string => `../../../../patterns/${patternId}/${component}`;

/** Why a lab's `custom` view cannot be drawn, or undefined when it can. */
export const customViewProblem = (patternId: string, component: string, bundled: ReadonlySet<string>): string | undefined => {
  if (!/^[\w-]+\.view\.tsx$/.test(component)) {
    return `patterns/${patternId}: a custom view is a file named like "heatmap.view.tsx" in the pattern's folder, not "${component}".`;
  }
  if (!bundled.has(customViewKey(patternId, component))) {
    return `patterns/${patternId}/${component} is not in this build of the workbench: a pattern's own view is part of the web bundle, so rebuild it (npm run build).`;
  }
  return undefined;
};
