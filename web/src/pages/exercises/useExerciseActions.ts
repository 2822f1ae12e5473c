/**
 * The exercise page's actions that talk to the workbench: running the
 * checks, and taking the learner's code to the live lab. Also the hints the
 * learner revealed, remembered in this browser.
 */
import { useCallback, useState } from 'react';
import { useLocation } from 'wouter';
import type { CheckResults, CodeError, ExerciseInstructions, ExerciseProgress } from '../../../../server/protocol/api.ts';
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
 * Starts a run of the pattern's lab with the exercise code pinned (it runs in
 * place of the pattern's file for that run only: the learner's pattern file
 * and its history stay as they are, and saves on the Code tab do not reach
 * it), then opens the Lab tab on that run. The run this exercise pinned last
 * time is stopped first, so clicking again replaces it rather than piling up
 * runs. Code that does not load starts nothing (the workbench answers 422):
 * the learner sees why and stays here.
 */
export const useLabHandoff = (exercise: Pick<ExerciseInstructions, 'id' | 'patternId' | 'file'>) => {
  const [state, setState] = useState<LabHandoff>({ kind: 'idle' });
  const [, navigate] = useLocation();
  const tryInLab = useCallback(
    async (code: string) => {
      setState({ kind: 'busy' });
      const previous = rememberedLabRun(exercise.id);
      if (previous) await api.stopRun(previous).catch(() => undefined);
      let runId: string;
      try {
        ({ runId } = await api.startRun(exercise.patternId, undefined, { [exercise.file]: code }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 422) {
          setState({ kind: 'load-error', error: codeErrorOf(error.body, error.message) });
        } else {
          setState({ kind: 'error', error });
        }
        return;
      }
      rememberLabRun(exercise.id, runId);
      navigate(`/patterns/${exercise.patternId}/lab?run=${encodeURIComponent(runId)}`);
    },
    [exercise.id, exercise.patternId, exercise.file, navigate],
  );
  const dismiss = useCallback(() => setState({ kind: 'idle' }), []);
  return { state, tryInLab, dismiss };
};

/** The run "Try it in the lab" last started for an exercise, in this tab. */
const labRunKey = (exerciseId: string): string => `workbench.exercise.${exerciseId}.labRun`;
const rememberedLabRun = (exerciseId: string): string | undefined => {
  try {
    return sessionStorage.getItem(labRunKey(exerciseId)) ?? undefined;
  } catch {
    return undefined;
  }
};
const rememberLabRun = (exerciseId: string, runId: string): void => {
  try {
    sessionStorage.setItem(labRunKey(exerciseId), runId);
  } catch {
    // Storage refused: the next click starts another run beside this one, nothing worse.
  }
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
