/**
 * Where to look, once a run starts: the lab's one line on what to watch (its
 * main view, drawn first below) and a button for the first thing to try — a
 * fault preset, parameters or a load, applied to the run like the panels do.
 */
import './guide.css';
import { useState } from 'react';
import type { FaultSpec, LabManifest } from '../../../../../../server/protocol/api.ts';
import { api } from '../../../../api/client.ts';
import { ErrorNotice } from '../../../../components/ErrorNotice.tsx';
import { InlineProse } from '../../../exercises/Prose.tsx';
import { presetSpec } from '../faults/faultForm.ts';

export interface LabGuideProps {
  lab: LabManifest;
  runId: string;
  /** The run's fault specs now, per fault point: a preset adds to what is set. */
  faults: Record<string, FaultSpec>;
  /** The run's current time, read when the button is pressed (a preset's window starts then). */
  nowT: () => number;
  /** The run is not going: nothing can be applied. */
  disabled: boolean;
}

export const LabGuide = ({ lab, runId, faults, nowT, disabled }: LabGuideProps) => {
  const { watch, tryFirst } = lab.guide;
  const kind = 'fault' in tryFirst ? 'fault' : 'params' in tryFirst ? 'params' : 'load';
  const [state, setState] = useState<{ busy?: boolean; appliedAt?: number; error?: unknown }>({});

  const tryIt = async () => {
    setState({ busy: true });
    try {
      const at = nowT();
      if ('fault' in tryFirst) {
        const point = lab.faultPoints.find((p) => p.id === tryFirst.fault.point)!;
        await api.setFault(runId, point.id, presetSpec(faults[point.id]!, tryFirst.fault.preset, at, point));
      } else if ('params' in tryFirst) {
        await api.setParams(runId, tryFirst.params);
      } else {
        await api.setLoad(runId, tryFirst.load);
      }
      setState({ appliedAt: at });
    } catch (error) {
      setState({ error });
    }
  };

  return (
    <section className="lab-guide" aria-label="Where to look">
      <p className="lab-guide-line">
        <span className="lab-guide-kicker">What to watch</span>
        <span>
          <InlineProse>{watch}</InlineProse>
        </span>
      </p>
      <p className="lab-guide-line">
        <span className="lab-guide-kicker">Try first</span>
        <span className="lab-guide-try">
          <button type="button" className="primary small-button" onClick={() => void tryIt()} disabled={disabled || state.busy}>
            {tryFirst.label}
          </button>
          <span className="small" role="status">
            {state.appliedAt !== undefined && <span className="ok-text">✓ applied at {(state.appliedAt / 1000).toFixed(1)} s. </span>}
            <span className="muted">{UNDO[kind]}</span>
          </span>
        </span>
      </p>
      {state.error !== undefined && <ErrorNotice error={state.error} title="Could not apply it" />}
    </section>
  );
};

/** Where the learner undoes the first action: the panel it went through. */
const UNDO = {
  fault: 'Watch what the pattern does; Clear in the fault’s panel on the right undoes it.',
  params: 'Watch what the pattern does; the Parameters panel on the right sets it back.',
  load: 'Watch what the pattern does; the Load panel on the right sets it back.',
} as const;
