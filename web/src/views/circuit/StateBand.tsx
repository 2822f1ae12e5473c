/** A circuit's states along the run: one coloured band, a segment per state, with a run-time axis. */
import { memo } from 'react';
import { fmtRunTime, fmtTick, niceTicks } from '../shared/format.ts';
import type { BandSegment } from './reducer.ts';

export interface StateBandProps {
  band: readonly BandSegment[];
  /** The run time at the band's right edge. */
  nowT: number;
}

export const StateBand = memo(function StateBand({ band, nowT }: StateBandProps) {
  const start = band[0]?.start ?? 0;
  const span = Math.max(1, nowT - start);
  const pct = (t: number) => `${((t - start) / span) * 100}%`;
  return (
    <div className="state-band-wrap">
      <div className="state-band" role="img" aria-label="Circuit states over the run">
        {band.map((s) => (
          <div
            key={`${s.start}-${s.state}`}
            className={`segment ${s.state}`}
            style={{ left: pct(s.start), width: `max(1px, ${((s.end - s.start) / span) * 100}%)` }}
            title={`${s.state} ${fmtRunTime(s.start)} – ${fmtRunTime(s.end)}`}
          />
        ))}
      </div>
      <div className="axis">
        {niceTicks(start, nowT, 8).map((t) => (
          <span key={t} style={{ left: pct(t) }}>
            {fmtTick(t)}
          </span>
        ))}
      </div>
    </div>
  );
});
