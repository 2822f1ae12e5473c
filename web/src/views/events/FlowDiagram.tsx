/** Publisher → bus → handlers, as a diagram: each handler a node with its counts, latency and last outcome. */
import { memo } from 'react';
import { fmtCount, fmtMs } from '../shared/format.ts';
import type { EventsModel, HandlerModel } from './reducer.ts';

const ROW = 78;
const TOP = 16;
const COL = { publisher: 20, bus: 270, handler: 540 };
const W = { publisher: 170, bus: 190, handler: 250 };
const H = 58;

/** Vertical centres for `n` nodes in a column of `rows` rows. */
const centres = (n: number, rows: number) => Array.from({ length: n }, (_, i) => TOP + ((rows - n) * ROW) / 2 + i * ROW + H / 2);

export const FlowDiagram = memo(function FlowDiagram({ model, nowT }: { model: EventsModel; nowT: number }) {
  const publishers = model.publishers.length ? model.publishers : [{ route: 'publisher', count: 0 }];
  const names = model.names.length ? model.names : [{ name: 'no events yet', published: 0, lastT: -Infinity }];
  const handlers = model.handlers;
  const rows = Math.max(publishers.length, names.length, handlers.length, 1);
  const height = TOP * 2 + rows * ROW - (ROW - H);
  const py = centres(publishers.length, rows);
  const ny = centres(names.length, rows);
  const hy = centres(handlers.length, rows);
  const active = (t: number | undefined) => t !== undefined && nowT - t < 1500;

  return (
    <svg className="flow-diagram" viewBox={`0 0 ${COL.handler + W.handler + 10} ${height}`} role="img" aria-label="Publisher, bus and handlers">
      {publishers.map((_, i) =>
        names.map((n, j) => (
          <path key={`p${i}-${j}`} className={`flow-edge ${active(n.lastT) ? 'active' : ''}`} d={curve(COL.publisher + W.publisher, py[i]!, COL.bus, ny[j]!)} />
        )),
      )}
      {handlers.map((h, k) =>
        names.map((n, j) =>
          h.names.length === 0 || h.names.includes(n.name) ? (
            <path
              key={`h${k}-${j}`}
              className={`flow-edge ${active(h.last?.t) ? 'active' : ''} ${h.last ? (h.last.ok ? 'ok' : 'failed') : ''}`}
              d={curve(COL.bus + W.bus, ny[j]!, COL.handler, hy[k]!)}
            />
          ) : null,
        ),
      )}
      {publishers.map((p, i) => (
        <g key={p.route} className="flow-node publisher" transform={`translate(${COL.publisher} ${py[i]! - H / 2})`}>
          <rect width={W.publisher} height={H} rx={10} />
          <text x={12} y={24} className="title">
            {clip(p.route, 20)}
          </text>
          <text x={12} y={44} className="sub">
            {fmtCount(p.count)} requests
          </text>
        </g>
      ))}
      {names.map((n, j) => (
        <g key={n.name} className="flow-node bus" transform={`translate(${COL.bus} ${ny[j]! - H / 2})`}>
          <rect width={W.bus} height={H} rx={H / 2} />
          <text x={W.bus / 2} y={24} textAnchor="middle" className="title">
            {clip(n.name, 22)}
          </text>
          <text x={W.bus / 2} y={44} textAnchor="middle" className="sub">
            {fmtCount(n.published)} published
          </text>
        </g>
      ))}
      {handlers.map((h, k) => (
        <HandlerNode key={h.handler} handler={h} x={COL.handler} y={hy[k]! - H / 2} fresh={active(h.last?.t)} />
      ))}
      {handlers.length === 0 && (
        <text x={COL.handler + 10} y={height / 2} className="sub">
          no handler has run yet
        </text>
      )}
    </svg>
  );
});

const HandlerNode = ({ handler: h, x, y, fresh }: { handler: HandlerModel; x: number; y: number; fresh: boolean }) => {
  const last = h.last ? (h.last.ok ? 'ok' : 'failed') : 'idle';
  return (
    <g className={`flow-node handler ${last} ${fresh ? 'fresh' : ''}`} transform={`translate(${x} ${y})`}>
      <title>{`${h.handler}: ${h.ok} ok, ${h.failed} failed attempts, ${h.retries} retries, ${h.deadLetters} dead-lettered${h.last?.error ? `\nlast error: ${h.last.error}` : ''}`}</title>
      <rect width={W.handler} height={H} rx={10} />
      <rect className="last-outcome" width={6} height={H} rx={3} />
      <text x={16} y={21} className="title">
        {clip(h.handler, 28)}
      </text>
      <text x={16} y={38} className="sub">
        <tspan className="ok-fill">✓ {fmtCount(h.ok)}</tspan>
        <tspan dx={8} className={h.failed ? 'bad-fill' : ''}>
          ✗ {fmtCount(h.failed)}
        </tspan>
        <tspan dx={8}>↻ {fmtCount(h.retries)}</tspan>
        <tspan dx={8} className={h.deadLetters ? 'bad-fill' : ''}>
          ☠ {fmtCount(h.deadLetters)}
        </tspan>
      </text>
      <text x={16} y={52} className="sub">
        avg {fmtMs(h.avgMs)} · p90 {fmtMs(h.p90Ms)}
      </text>
    </g>
  );
};

const curve = (x1: number, y1: number, x2: number, y2: number) => {
  const mid = (x1 + x2) / 2;
  return `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`;
};

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
