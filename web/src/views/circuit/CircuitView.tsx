/**
 * The circuit view, in the spirit of the Hystrix dashboard: per circuit its
 * state machine lit live and its state band along the run; for the inbound
 * requests the error percentage and the counters, rolling and in total.
 */
import { fmtPct, fmtRunTime } from '../shared/format.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { circuitReducer, type CircuitModel, type CircuitViewModel, type CounterSummary, type VolumeBucket } from './reducer.ts';
import { StateBand } from './StateBand.tsx';
import { StateDiagram } from './StateDiagram.tsx';

export const CircuitView = ({ events, revision, nowT, lab }: ViewProps) => {
  const model = useViewModel(circuitReducer, events, revision, nowT);
  // Before the first transition the circuit is closed; name it after the lab's downstream.
  const placeholder: CircuitModel = {
    name: lab.faultPoints.find((p) => p.kind === 'http')?.id ?? 'circuit',
    state: 'closed',
    since: 0,
    last: undefined,
    recent: [],
    transitions: 0,
    band: [{ state: 'closed', start: 0, end: nowT }],
    probes: { ok: 0, failed: 0 },
  };
  const circuits = model.circuits.length ? model.circuits : [placeholder];
  return (
    <div className="circuit-view">
      <div className="circuit-cards">
        {circuits.map((circuit) => (
          <CircuitCard key={circuit.name} circuit={circuit} nowT={nowT} />
        ))}
      </div>
      <RequestCounters model={model} />
    </div>
  );
};

const CircuitCard = ({ circuit, nowT }: { circuit: CircuitModel; nowT: number }) => (
  <section className="circuit-card" aria-label={`Circuit ${circuit.name}`}>
    <div className="circuit-diagram">
      <StateDiagram
        state={circuit.state}
        last={circuit.last}
        transitionCount={circuit.transitions}
        seen={circuit.recent}
        fresh={circuit.last !== undefined && nowT - circuit.last.t < 2000}
      />
    </div>
    <div className="circuit-facts">
      <div className="circuit-title">
        <strong>{circuit.name}</strong>
        <span className={`state-pill ${circuit.state}`}>{circuit.state}</span>
        <span className="muted">for {fmtRunTime(Math.max(0, nowT - circuit.since))}</span>
      </div>
      <StateBand band={circuit.band} nowT={nowT} />
      <div className="circuit-sub muted">
        {circuit.transitions} transition{circuit.transitions === 1 ? '' : 's'}
        {circuit.state === 'half-open' && (
          <>
            {' '}
            · probes: <span className="ok-text">{circuit.probes.ok} ok</span>, <span className="bad-text">{circuit.probes.failed} failed</span>
          </>
        )}
      </div>
      {circuit.recent.length > 0 ? (
        <ol className="transitions">
          {circuit.recent.map((t, i) => (
            <li key={`${t.t}-${i}`} className={i === 0 ? 'latest' : ''}>
              <span className="t">{fmtRunTime(t.t)}</span> <span className={`state-text ${t.from}`}>{t.from}</span> →{' '}
              <span className={`state-text ${t.to}`}>{t.to}</span>
              {t.reason && <span className="muted"> ({t.reason})</span>}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted small">No transitions yet: the circuit starts closed. Make the downstream fail to trip it.</p>
      )}
    </div>
  </section>
);

const ROWS: Array<{ key: keyof CounterSummary; label: string; cls: string; title?: string }> = [
  { key: 'success', label: 'Success', cls: 'ok-text' },
  { key: 'failure', label: 'Failure', cls: 'bad-text' },
  { key: 'rejected', label: 'Rejected', cls: 'reject-text', title: 'Failed fast by the open circuit, without calling the downstream' },
  { key: 'timeout', label: 'Timeout', cls: 'warn-text' },
];

const RequestCounters = ({ model }: { model: CircuitViewModel }) => {
  const { window, total } = model;
  const errorClass = window.total === 0 ? '' : window.errorShare >= 0.5 ? 'bad-text' : window.errorShare > 0 ? 'warn-text' : 'ok-text';
  return (
    <section className="counters" aria-label="Inbound requests">
      <div className="error-pct">
        <span className={`big ${errorClass}`}>{fmtPct(window.errorShare)}</span>
        <span className="muted small">errors, last {model.windowMs / 1000} s ({window.total} requests)</span>
      </div>
      <Sparkline volume={model.volume} />
      <table className="counter-table">
        <thead>
          <tr>
            <th />
            <th title={`The last ${model.windowMs / 1000} seconds`}>{model.windowMs / 1000}&nbsp;s</th>
            <th title="The whole run">run</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.key}>
              <th className={row.cls} title={row.title}>
                {row.label}
              </th>
              <td>{window[row.key]}</td>
              <td>{total[row.key]}</td>
            </tr>
          ))}
          <tr className="total-row">
            <th>Error %</th>
            <td>{fmtPct(window.errorShare)}</td>
            <td>{fmtPct(total.errorShare)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
};

/** Requests per second, stacked by outcome, over the last minute. */
const Sparkline = ({ volume }: { volume: readonly VolumeBucket[] }) => {
  const max = Math.max(1, ...volume.map((b) => b.success + b.failed + b.rejected));
  return (
    <div className="sparkline" role="img" aria-label="Requests per second by outcome, last minute">
      {volume.map((b) => {
        const h = (n: number) => `${(n / max) * 100}%`;
        return (
          <div key={b.t} className="bar" title={`${fmtRunTime(b.t)}: ${b.success} ok, ${b.failed} failed, ${b.rejected} rejected`}>
            <div className="rejected" style={{ height: h(b.rejected) }} />
            <div className="failed" style={{ height: h(b.failed) }} />
            <div className="success" style={{ height: h(b.success) }} />
          </div>
        );
      })}
    </div>
  );
};
