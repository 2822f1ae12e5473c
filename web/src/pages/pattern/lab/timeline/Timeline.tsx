/**
 * The run's timeline across the top of the views: run time, markers for
 * deploys, fault, load and parameter changes and errors, pause / resume, and
 * a slider to look back — the views then show the run as it was at the cursor.
 * Stretches where the workbench itself was saturated are shaded on the track.
 * Markers close together stack in lanes; where the lanes run out they merge
 * into one (`3 changes`) that opens the list of its changes.
 */
import '../saturation.css';
import './timeline.css';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type RefObject } from 'react';
import { fmtRunTime, fmtTick } from '../../../../views/shared/format.ts';
import { timeTicks } from '../../../../views/shared/ticks.ts';
import { useWidth } from '../../../../views/shared/useWidth.ts';
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
  const [trackRef, trackWidth] = useWidth<HTMLDivElement>(DEFAULT_WIDTH);
  const track = useRef<HTMLDivElement | null>(null);
  const setTrack = useCallback(
    (element: HTMLDivElement | null) => {
      track.current = element;
      trackRef(element);
    },
    [trackRef],
  );
  const measure = useLabelMeasure(track);
  const placed = useMemo(() => placeMarkers(markers, start, end, { width: trackWidth, measure }), [markers, start, end, trackWidth, measure]);
  // The merged label whose list is open, by its first marker's time.
  const [openT, setOpenT] = useState<number>();
  const open = placed.find((p) => p.t === openT && p.markers.length > 1);
  const listId = useId();
  const seek = (t: number) => {
    onPausedChange(true);
    onCursorChange(t);
  };
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
        <div className="timeline-markers" ref={setTrack}>
          {placed.map((p, i) => (
            <span key={`${p.t}-${i}`} className={`timeline-marker-line ${p.kind}`} style={{ left: p.x, top: `${p.lane * LANE_REM}rem` }} aria-hidden />
          ))}
          {placed.map((p, i) => {
            const merged = p.markers.length > 1;
            const last = p.markers[p.markers.length - 1]!;
            const when = merged ? `${fmtRunTime(p.t)} to ${fmtRunTime(last.t)}` : fmtRunTime(p.t);
            return (
              <button
                key={`${p.t}-${i}`}
                type="button"
                className={`timeline-marker marker ${p.kind} ${p.flip ? 'flip' : ''} ${merged ? 'merged' : ''}`}
                style={{ ...(p.flip ? { right: trackWidth - p.x } : { left: p.x }), top: `${p.lane * LANE_REM}rem`, maxWidth: p.width }}
                aria-label={`${p.label}, at ${when}`}
                title={p.markers.map((m) => `${fmtRunTime(m.t)} — ${m.detail}`).join('\n')}
                {...(merged ? { 'aria-expanded': open === p, 'aria-controls': open === p ? listId : undefined } : {})}
                onClick={() => (merged ? setOpenT(open === p ? undefined : p.t) : seek(p.t))}
                onKeyDown={(e) => {
                  if (merged && e.key === 'Escape') setOpenT(undefined);
                }}
              >
                {p.label}
              </button>
            );
          })}
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
          {timeTicks(start, end, trackWidth, 56, 12).map((t) => (
            <span key={t} style={{ left: `${pct(t)}%` }}>
              {fmtTick(t)}
            </span>
          ))}
        </div>
      </div>
      {open && (
        <div
          className="timeline-merged-list"
          id={listId}
          role="group"
          aria-label={`${open.label} from ${fmtRunTime(open.t)}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpenT(undefined);
          }}
        >
          <span className="muted small">{open.label}:</span>
          <ul>
            {open.markers.map((m, i) => (
              <li key={`${m.t}-${i}`}>
                <button type="button" className={`small-button timeline-merged-item ${m.kind}`} title={m.detail} onClick={() => seek(m.t)}>
                  <span className="mono">{fmtRunTime(m.t)}</span> {m.label}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="small-button" onClick={() => setOpenT(undefined)} aria-label="Close the list">
            ✕
          </button>
        </div>
      )}
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

/** From one lane to the next: a label is 1.05rem high (timeline.css), with a little room between. */
const LANE_REM = 1.1;
/** The track's width before it is measured. */
const DEFAULT_WIDTH = 800;

/**
 * A label's width as `.timeline-marker` draws it: its text in the label's font, measured on a
 * canvas, plus its padding and border. Rounded up: a label is never wider than it was placed.
 */
const useLabelMeasure = (ref: RefObject<HTMLElement | null>): ((label: string) => number) => {
  const [font, setFont] = useState<{ font: string; extra: number }>();
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const probe = document.createElement('button');
    probe.className = 'timeline-marker';
    probe.style.visibility = 'hidden';
    probe.textContent = 'x';
    element.appendChild(probe);
    const style = getComputedStyle(probe);
    const extra = ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].reduce((sum, key) => sum + (parseFloat(style[key as 'paddingLeft']) || 0), 0);
    setFont({ font: `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`, extra });
    probe.remove();
  }, [ref]);
  return useMemo(() => {
    const context = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
    if (context && font) context.font = font.font;
    const cache = new Map<string, number>();
    return (label: string) => {
      let width = cache.get(label);
      if (width === undefined) {
        // Before the font is known: a generous 7 px a character.
        width = Math.ceil((context && font ? context.measureText(label).width : label.length * 7) + (font?.extra ?? 10) + 2);
        cache.set(label, width);
      }
      return width;
    };
  }, [font]);
};

