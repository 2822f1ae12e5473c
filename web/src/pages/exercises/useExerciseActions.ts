/**
 * The exercise page's actions that talk to the workbench: running the
 * checks, and taking the learner's code to the live lab. Also the hints the
 * learner revealed, remembered in this browser.
 */
import { useCallback, useState } from 'react';
import { useLocation } from 'wouter';
import type { CheckResults, CodeError, ExerciseInstructions, ExerciseProgress } from '../../../../server/http/api-types.ts';
import { api, ApiError } from '../../api/client.ts';
import { codeErrorOf } from '../pattern/code/markers.ts';
import { hintsKey, parseRevealed, storedResults, type ResultsShape } from './exercise-state.ts';

export interface ShownResults {
  results: ResultsShape;
  origin: 'run' | 'last-attempt';
}

export const useChecks = (exercise: ExerciseInstructions) => {
  const [shown, setShown] = useState<ShownResults | undefined>(() => {
    const last = storedResults(exercise.lastAttempt?.results);
    return last && { results: last, origin: 'last-attempt' };
  });
  const [progress, setProgress] = useState<ExerciseProgress | null>(exercise.progress);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>();

  const run = useCallback(
    async (code: string): Promise<CheckResults | undefined> => {
      setChecking(true);
      setError(undefined);
      try {
        const results = await api.checkExercise(exercise.id, code);
        setShown({ results, origin: 'run' });
        setProgress(results.progress);
        return results;
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setChecking(false);
      }
    },
    [exercise.id],
  );
  return { shown, progress, checking, error, run };
};

export type LabHandoff = { kind: 'idle' } | { kind: 'busy' } | { kind: 'load-error'; error: CodeError } | { kind: 'error'; error: unknown };

/**
 * Saves the code as the pattern's file, starts a run of its lab when none is
 * going, and opens the Lab tab. Code that does not load stays off the runs
 * (the workbench answers 422): the learner sees why and stays here.
 */
export const useLabHandoff = (exercise: Pick<ExerciseInstructions, 'patternId' | 'file'>) => {
  const [state, setState] = useState<LabHandoff>({ kind: 'idle' });
  const [, navigate] = useLocation();
  const tryInLab = useCallback(
    async (code: string) => {
      setState({ kind: 'busy' });
      try {
        await api.saveFile(exercise.patternId, exercise.file, code);
      } catch (error) {
        if (error instanceof ApiError && error.status === 422) {
          setState({ kind: 'load-error', error: codeErrorOf(error.body, error.message) });
        } else {
          setState({ kind: 'error', error });
        }
        return;
      }
      try {
        const runs = await api.runs(exercise.patternId);
        if (!runs.some((r) => r.live)) await api.startRun(exercise.patternId);
      } catch (error) {
        setState({ kind: 'error', error });
        return;
      }
      navigate(`/patterns/${exercise.patternId}/lab`);
    },
    [exercise.patternId, exercise.file, navigate],
  );
  const dismiss = useCallback(() => setState({ kind: 'idle' }), []);
  return { state, tryInLab, dismiss };
};

/** Hints revealed per section (`general`, `1`, …), kept in localStorage so a return visit shows them again. */
export const useRevealedHints = (exerciseId: string) => {
  const [revealed, setRevealed] = useState<Record<string, number>>(() => {
    try {
      return parseRevealed(localStorage.getItem(hintsKey(exerciseId)));
    } catch {
      return {};
    }
  });
  const reveal = useCallback(
    (section: string) =>
      setRevealed((current) => {
        const next = { ...current, [section]: (current[section] ?? 0) + 1 };
        try {
          localStorage.setItem(hintsKey(exerciseId), JSON.stringify(next));
        } catch {
          // Not remembered: the hints are still shown now.
        }
        return next;
      }),
    [exerciseId],
  );
  return { revealed, reveal };
};
