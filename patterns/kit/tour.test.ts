/** Tours' `blockedWhen` blocks: checked against each pattern's lab, and the check itself. */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PatternManifest } from './lab.ts';
import { tourBlockProblems, type Tour } from './tour.ts';

const lab = { faultPoints: [{ id: 'payments' }], params: [{ id: 'resetTimeoutMs' }] };
const step = (blockedWhen: Tour['steps'][number]['blockedWhen']): Tour['steps'][number] => ({ title: 'heal', instruction: '', until: [], explanation: '', blockedWhen });

describe('tourBlockProblems', () => {
  it('accepts blocks on the lab’s own fault points, parameters and load', () => {
    const tour = {
      steps: [
        step([
          { when: [{ fault: 'payments', injected: true }], hint: 'Clear the payments fault first.' },
          { when: [{ param: 'resetTimeoutMs', is: { gte: 10_000 } }, { load: 'stopped' }], hint: 'Lower the reset timeout and start the load.' },
        ]),
        step(undefined),
      ],
    };
    expect(tourBlockProblems(tour, lab)).toEqual([]);
  });

  it('names a fault point or parameter the lab does not have, an empty condition list and an empty hint', () => {
    const tour = {
      steps: [
        step([
          { when: [{ fault: 'inventory', injected: true }], hint: 'Clear it.' },
          { when: [{ param: 'jitter', is: 'none' }], hint: ' ' },
          { when: [], hint: 'Never.' },
        ]),
      ],
    };
    expect(tourBlockProblems(tour, lab)).toEqual([
      "step 'heal': no fault point 'inventory' in the lab",
      "step 'heal': a block with an empty hint",
      "step 'heal': no parameter 'jitter' in the lab",
      "step 'heal': a block with no conditions",
    ]);
  });
});

describe('every pattern’s tour', () => {
  const patternsDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
  const ids = readdirSync(patternsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(patternsDir, d.name, 'tour.ts')) && existsSync(join(patternsDir, d.name, 'pattern.ts')))
    .map((d) => d.name);

  it('has tours to check, and some steps that say what to do when blocked', async () => {
    expect(ids).toContain('circuit-breaker');
    const { tour } = (await import(pathToFileURL(join(patternsDir, 'circuit-breaker', 'tour.ts')).href)) as { tour: Tour };
    const heal = tour.steps.find((s) => s.title === 'Heal payments');
    expect(heal?.blockedWhen).toContainEqual(expect.objectContaining({ when: [{ fault: 'payments', injected: true }] }));
  });

  it.each(ids)('%s: blockedWhen names only its lab’s fault points and parameters', async (id) => {
    const { tour } = (await import(pathToFileURL(join(patternsDir, id, 'tour.ts')).href)) as { tour?: Tour };
    const { pattern } = (await import(pathToFileURL(join(patternsDir, id, 'pattern.ts')).href)) as { pattern: PatternManifest };
    if (!tour) return;
    const tourLab = pattern.labs.find((l) => l.id === tour.lab);
    expect(tourLab, `the tour's lab '${tour.lab}'`).toBeDefined();
    expect(tourBlockProblems(tour, tourLab!)).toEqual([]);
  });
});
