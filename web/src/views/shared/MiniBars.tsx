/**
 * A stacked bar chart as plain SVG: cheap enough to draw several side by side
 * and redraw every second (a chart library's store and selectors are not).
 */
import { memo, useMemo } from 'react';
import { barLayout, type BarDatum } from './bars.ts';
import { fmtCount, fmtTick } from './format.ts';
import { useWidth } from './useWidth.ts';

export interface MiniBarsProps {
  data: readonly BarDatum[];
  /** A CSS colour per series. */
  colors: readonly string[];
  /** Series names, for the tooltip. */
  names: readonly string[];
  height: number;
  label: string;
}

export const MiniBars = memo(function MiniBars({ data, colors, names, height, label }: MiniBarsProps) {
  // As many time ticks as the plot's width takes without their labels running together.
  const [plot, plotWidth] = useWidth<HTMLDivElement>(240);
  const xTicks = Math.max(2, Math.min(5, Math.floor(plotWidth / 48)));
  const layout = useMemo(() => barLayout(data, { xTicks }), [data, xTicks]);
  const width = Math.max(1, layout.buckets);
  return (
    <div className="mini-bars" style={{ height }} role="img" aria-label={label}>
      <div className="y-axis">
        {layout.yTicks.map((v) => (
          <span key={v} style={{ bottom: `${(v / layout.max) * 100}%` }}>
            {fmtCount(v)}
          </span>
        ))}
      </div>
      <div className="plot" ref={plot}>
        {layout.yTicks.map((v) => (
          <div key={v} className="grid-line" style={{ bottom: `${(v / layout.max) * 100}%` }} />
        ))}
        <svg viewBox={`0 0 ${width} ${layout.max}`} preserveAspectRatio="none">
          {layout.segments.map((s, i) => (
            <rect key={i} x={s.x + 0.08} width={0.84} y={s.y} height={s.height} style={{ fill: colors[s.series] }}>
              <title>{`${fmtTick(data[s.x]!.t)}: ${names[s.series]} ${data[s.x]!.values[s.series]}`}</title>
            </rect>
          ))}
        </svg>
        <div className="x-axis">
          {layout.xTicks.map((tick) => (
            <span key={tick.t} style={{ left: `${tick.at * 100}%` }}>
              {fmtTick(tick.t)}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
});
