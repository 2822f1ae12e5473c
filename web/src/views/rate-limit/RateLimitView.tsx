/**
 * Rate limiting per client key: allowed vs limited (429) over the last
 * minute, one small chart per key, and the algorithm in use.
 */
import { memo, useMemo, useState } from 'react';
import { fmtCount, fmtPct, fmtRunTime } from '../shared/format.ts';
import { MiniBars } from '../shared/MiniBars.tsx';
import { useThrottled } from '../shared/useThrottled.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { chartRows, rateLimitReducer } from './reducer.ts';

const SHOWN_KEYS = 8;

export const RateLimitView = ({ events, revision, nowT, lab }: ViewProps) => {
  // A chart per key: they redraw once a second.
  const model = useThrottled(useViewModel(rateLimitReducer, events, revision, nowT), 1000);
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
              <KeyChart rows={rows} keyName={k.key} />
            </figure>
          ))}
        </div>
      )}
      {model.keys.length > SHOWN_KEYS && <p className="muted small">{model.keys.length - SHOWN_KEYS} more keys not drawn.</p>}
    </div>
  );
};

const KEY_COLORS = ['var(--ok)', 'var(--reject)'];
const KEY_SERIES = ['allowed', '429'];

const KeyChart = memo(function KeyChart({ rows, keyName }: { rows: Array<Record<string, number>>; keyName: string }) {
  const data = useMemo(() => rows.map((r) => ({ t: r.t!, values: [r[`${keyName} allowed`] ?? 0, r[`${keyName} limited`] ?? 0] })), [rows, keyName]);
  return <MiniBars data={data} colors={KEY_COLORS} names={KEY_SERIES} height={120} label={`${keyName}: allowed and limited per bucket`} />;
});
