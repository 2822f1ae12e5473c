/**
 * The run's timeline across the top of the views: run time, markers for
 * deploys, fault, load and parameter changes and errors, pause / resume, and
 * a slider to look back — the views then show the run as it was at the cursor.
 * Stretches where the workbench itself was saturated are shaded on the track.
 */
import '../saturation.css';
import { fmtRunTime, fmtTick, niceTicks } from '../../../../views/shared/format.ts';
import type { Marker } from '../../../../views/shared/markers.ts';
import { saturatedAt, type SaturatedSpan } from '../saturation.ts';
import { placeMarkers, placeSpans, scrubStep } from './timeline.ts';

export interface TimelineProps {
  markers: readonly Marker[];
  start: number;
  end: number;
  /** null: live (or paused at the end). */
  cursor: number | null;
  paused: boolean;
  onPausedChange: (paused: boolean) => void;
  onCursorChange: (cursor: number | null) => void;
  /** The run has events before `start` that the page does not hold (it loads the newest). */
  olderNotLoaded: boolean;
  /** With olderNotLoaded: from when the page holds every event (before it, only state changes). */
  fullFromT?: number | undefined;
  /** The run is over: nothing more will come. */
  ended: boolean;
  /** Where the workbench could not keep up with the load (saturation.ts): shaded on the track. */
  saturated?: readonly SaturatedSpan[] | undefined;
}

export const Timeline = ({
  markers,
  start,
  end,
  cursor,
  paused,
  onPausedChange,
  onCursorChange,
  olderNotLoaded,
  fullFromT,
  ended,
  saturated = [],
}: TimelineProps) => {
  const span = Math.max(1, end - start);
  const pct = (t: number) => ((t - start) / span) * 100;
  const placed = placeMarkers(markers, start, end);
  const saturatedSpans = placeSpans(saturated, start, end);
  const at = cursor ?? end;
  const step = scrubStep(span);
  const resume = () => {
    onCursorChange(null);
    onPausedChange(false);
  };
  return (
    <div className={`timeline ${paused ? 'paused' : 'live'}`}>
      <div className="timeline-controls">
        {paused ? (
          <button type="button" className="primary" onClick={resume} title="Resume the live view (Space)">
            ▶ Live
          </button>
        ) : (
          <button type="button" onClick={() => onPausedChange(true)} title="Pause the live view (Space)">
            ❚❚ Pause
          </button>
        )}
        <span className="timeline-now">
          {paused ? (
            <>
              <span className="paused-badge">paused</span> at <b>{fmtRunTime(at)}</b>
              {cursor !== null && <span className="muted"> of {fmtRunTime(end)}</span>}
            </>
          ) : ended ? (
            <>
              <span className="ended-badge">■ ended</span> at <b>{fmtRunTime(end)}</b>
            </>
          ) : (
            <>
              <span className="live-badge">● live</span> <b>{fmtRunTime(end)}</b>
            </>
          )}
        </span>
        <span className="muted small legend-line">
          <span className="mk deploy" /> deploy <span className="mk fault" /> fault <span className="mk load" /> load <span className="mk params" /> params{' '}
          <span className="mk error" /> error
          {saturatedSpans.length > 0 && (
            <>
              {' '}
              <span className="mk saturated" /> workbench saturated
            </>
          )}
        </span>
      </div>
      <div className="timeline-track-wrap">
        <div className="timeline-markers">
          {placed.map((m, i) => (
            <button
              key={`${m.t}-${i}`}
              type="button"
              className={`marker ${m.kind} lane-${m.lane} ${m.left > 85 ? 'flip' : ''}`}
              style={{ left: `${m.left}%` }}
              title={`${fmtRunTime(m.t)} — ${m.detail}`}
              onClick={() => {
                onPausedChange(true);
                onCursorChange(m.t);
              }}
            >
              <span className="marker-label">{m.label}</span>
            </button>
          ))}
        </div>
        <div className="timeline-track">
          {saturatedSpans.map((s, i) => (
            <div
              key={i}
              className="timeline-saturated"
              style={{ left: `calc(7px + (100% - 14px) * ${s.left / 100})`, width: `calc((100% - 14px) * ${s.width / 100})` }}
              aria-hidden
            />
          ))}
          {olderNotLoaded && fullFromT !== undefined && fullFromT > start && (
            <div
              className="timeline-future"
              style={{ left: 7, right: `calc(7px + (100% - 14px) * ${1 - pct(fullFromT) / 100})` }}
              title="Older events not loaded: only state changes before here"
            />
          )}
          {cursor !== null && <div className="timeline-future" style={{ left: `calc(7px + (100% - 14px) * ${pct(at) / 100})`, right: 7 }} title="Not shown while looking back" />}
          <input
            type="range"
            className="scrubber"
            min={start}
            max={end}
            step={step}
            value={at}
            aria-label="Run time to show"
            aria-valuetext={saturatedAt(saturated, at) ? `${fmtRunTime(at)} (workbench saturated)` : fmtRunTime(at)}
            onChange={(e) => {
              const value = Number(e.target.value);
              onPausedChange(true);
              onCursorChange(value >= end ? null : value);
            }}
          />
        </div>
        <div className="axis">
          {niceTicks(start, end, 10).map((t) => (
            <span key={t} style={{ left: `${pct(t)}%` }}>
              {fmtTick(t)}
            </span>
          ))}
        </div>
      </div>
      {olderNotLoaded && (
        <p className="muted small older-not-loaded" role="note">
          ⟵ Older events not loaded: the page holds every event of the run from {fmtRunTime(fullFromT ?? start)}
          {fullFromT !== undefined && fullFromT > start && ' and, before that, only its state changes (circuit, faults, load, params, code)'}. Counts
          start there; the controls show the run’s current settings.
        </p>
      )}
    </div>
  );
};
