import { describe, expect, it } from 'vitest';
import { pageTitle, WORKBENCH_TITLE } from './usePageTitle.ts';

describe('pageTitle', () => {
  it('puts the page first, most specific part first, then the workbench', () => {
    expect(pageTitle('Catalog')).toBe('Catalog — Patterns Workbench');
    expect(pageTitle('Circuit breaker', 'Lab')).toBe('Circuit breaker · Lab — Patterns Workbench');
    expect(pageTitle('Exercise: Limit half-open probes', 'Circuit breaker')).toBe('Exercise: Limit half-open probes · Circuit breaker — Patterns Workbench');
  });

  it('leaves out parts still loading, and is the workbench’s own title with none', () => {
    expect(pageTitle(undefined, 'Lab')).toBe('Lab — Patterns Workbench');
    expect(pageTitle(undefined, false, ' ')).toBe(WORKBENCH_TITLE);
    expect(pageTitle()).toBe('Patterns Workbench');
  });
});
