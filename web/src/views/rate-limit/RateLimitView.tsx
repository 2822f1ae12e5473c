/**
 * Rate limiting per client key: allowed vs limited (429) over the last
 * minute, one small chart per key, and the algorithm in use.
 */
import { memo, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bucketTicks, fmtCount, fmtPct, fmtRunTime, fmtTick } from '../shared/format.ts';
import { useThemeColors, type ThemeColors } from '../shared/theme.ts';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { chartRows, rateLimitReducer } from './reducer.ts';

const SHOWN_KEYS = 8;

export const RateLimitView = ({ events, revision, nowT, lab }: ViewProps) => {
  // Small multiples of recharts are the heavy part: they redraw once a second.
  const model = useThrottled(useViewModel(rateLimitReducer, events, revision, nowT), 1000);
  const colors = useThemeColors();
  const [size, setSize] = useState(1000);
  const [span, setSpan] = useState(30_000);
  // Keyed on the (throttled) model, not on nowT, so the charts' data changes only when the model does.
  const endT = model.buckets[model.buckets.length - 1]?.t ?? 0;
  const rows = useMemo(() => chartRows(model.buckets, size).filter((r) => r.t! > endT - span), [model.buckets, size, span, endT]);
  const fallback = lab.params.find((p) => p.id === 'algorithm');
  const algorithm = model.algorithm ?? (fallback?.type === 'enum' ? fallback.default : undefined);
  const total = model.allowed + model.limited;
  const keys = model.keys.slice(0, SHOWN_KEYS);

  return (
    <div className="rate-limit-view">
      <div className="view-toolbar">
        <span className="headline">
          Algorithm <b className="algorithm">{algorithm ?? 'unknown'}</b>
          {model.limit !== undefined && (
            <>
              {' '}
              · limit <b>{model.limit}</b> per window
            </>
          )}{' '}
          · <b className="ok-text">{fmtCount(model.allowed)}</b> allowed · <b className="reject-text">{fmtCount(model.limited)}</b> limited (
          {fmtPct(total ? model.limited / total : 0)})
          {model.changedAt !== undefined && <span className="muted small"> · switched at {fmtRunTime(model.changedAt)}</span>}
        </span>
        <label className="small muted">
          per{' '}
          <select value={size} onChange={(e) => setSize(Number(e.target.value))} aria-label="Bucket size">
            <option value={250}>250 ms</option>
            <option value={1000}>1 s</option>
          </select>{' '}
          over{' '}
          <select value={span} onChange={(e) => setSpan(Number(e.target.value))} aria-label="Time span">
            <option value={10_000}>10 s</option>
            <option value={30_000}>30 s</option>
            <option value={60_000}>1 min</option>
          </select>
        </label>
      </div>
      {keys.length === 0 ? (
        <p className="muted empty">No rate-limit decisions yet.</p>
      ) : (
        <div className="key-grid">
          {keys.map((k) => (
            <figure key={k.key} className="chart">
              <figcaption>
                <b>{k.key}</b> <span className="ok-text">{fmtCount(k.allowed)} allowed</span> ·{' '}
                <span className="reject-text">{fmtCount(k.limited)} × 429</span>{' '}
                <span className="muted">
                  · {k.remaining}/{k.limit} left
                </span>
              </figcaption>
              <KeyChart rows={rows} keyName={k.key} colors={colors} />
            </figure>
          ))}
        </div>
      )}
      {model.keys.length > SHOWN_KEYS && <p className="muted small">{model.keys.length - SHOWN_KEYS} more keys not drawn.</p>}
    </div>
  );
};

const KeyChart = memo(function KeyChart({ rows, keyName, colors }: { rows: Array<Record<string, number>>; keyName: string; colors: ThemeColors }) {
  return (
    <ResponsiveContainer width="100%" height={120}>
      <BarChart data={rows} margin={{ top: 4, right: 6, bottom: 0, left: 0 }} barCategoryGap={1}>
        <CartesianGrid stroke={colors.border} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="t" tickFormatter={fmtTick} tick={{ fill: colors.muted, fontSize: 10 }} stroke={colors.border} ticks={bucketTicks(rows.map((r) => r.t!), 4)} interval={0} />
        <YAxis tick={{ fill: colors.muted, fontSize: 10 }} stroke={colors.border} width={30} allowDecimals={false} />
        <Tooltip
          contentStyle={{ background: colors.panel, border: `1px solid ${colors.border}`, borderRadius: 6, fontSize: 12 }}
          labelFormatter={(t) => `from ${fmtRunTime(Number(t))}`}
        />
        <Bar dataKey={`${keyName} allowed`} name="allowed" stackId="1" fill={colors.ok} isAnimationActive={false} />
        <Bar dataKey={`${keyName} limited`} name="429" stackId="1" fill={colors.reject} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
});
