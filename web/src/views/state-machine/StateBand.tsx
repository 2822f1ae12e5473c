/** A machine's states along the run: one band, a segment per state in its tone, with a run-time axis. */
import { fmtRunTime, fmtTick } from '../shared/format.ts';
import { timeTicks } from '../shared/ticks.ts';
import { useWidth } from '../shared/useWidth.ts';
import type { BandSegment } from './reducer.ts';
import type { LookUp } from './states.ts';

export interface StateBandProps {
  band: readonly BandSegment[];
  look: LookUp;
  /** The run time at the band's right edge. */
  nowT: number;
  label: string;
}

export const StateBand = ({ band, look, nowT, label }: StateBandProps) => {
  const start = band[0]?.start ?? 0;
  const span = Math.max(1, nowT - start);
  const pct = (t: number) => `${((t - start) / span) * 100}%`;
  // As many ticks as the band's width takes without their labels running together.
  const [axis, axisWidth] = useWidth<HTMLDivElement>(240);
  return (
    <div className="sm-band-wrap">
      <div className="sm-band" role="img" aria-label={label}>
        {band.map((s) => (
          <div
            key={`${s.start}-${s.state}`}
            className={`segment tone-${look(s.state).tone}`}
            style={{ left: pct(s.start), width: `max(1px, ${((s.end - s.start) / span) * 100}%)` }}
            title={`${look(s.state).label} ${fmtRunTime(s.start)} – ${fmtRunTime(s.end)}`}
          />
        ))}
      </div>
      <div className="axis" ref={axis}>
        {timeTicks(start, nowT, axisWidth, 48, 8).map((t) => (
          <span key={t} style={{ left: pct(t) }}>
            {fmtTick(t)}
          </span>
        ))}
      </div>
    </div>
  );
};
