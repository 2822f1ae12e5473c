/**
 * "The workbench is saturated: 380 of 500 req/s sent (event loop lag 140 ms). The numbers below
 * show the workbench's limits, not the pattern's." Shown above the timeline while the workbench
 * cannot keep up with the load (saturation.ts), so a learner does not blame the pattern for it.
 */
import './saturation.css';
import { SATURATION_ADVICE, saturationParts, type SaturationReading } from './saturation.ts';

export interface SaturationNoticeProps {
  reading: SaturationReading;
  /** The page looks back at a moment of the run (scrubbed), not at its present. */
  past: boolean;
}

export const SaturationNotice = ({ reading, past }: SaturationNoticeProps) => {
  const { lead, figures } = saturationParts(reading, past);
  return (
    // A status, announced once when it appears; the figures change four times a second and
    // are kept out of the announcements (aria-live off), not out of what a reader can read.
    <div className="notice saturation-notice" role="status">
      <strong className="saturation-lead">{lead}</strong>
      <span className="saturation-figures" aria-live="off">
        {figures}
      </span>
      . {SATURATION_ADVICE}
    </div>
  );
};
