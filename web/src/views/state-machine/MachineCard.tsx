/**
 * One machine: its diagram, its state and since when, its states along the
 * run, the calls made in `callsIn.state` (the probes) while it is there, and
 * its recent transitions with their reasons.
 */
import { useMemo } from 'react';
import type { StateMachineViewSpec } from '../../../../patterns/kit/index.ts';
import { fmtRunTime } from '../shared/format.ts';
import { layoutDiagram } from './layout.ts';
import type { MachineModel } from './reducer.ts';
import { StateBand } from './StateBand.tsx';
import { StateDiagram } from './StateDiagram.tsx';
import type { LookUp } from './states.ts';

/** How long a new transition's edge flashes. */
const FRESH_MS = 2000;

export interface MachineCardProps {
  spec: StateMachineViewSpec;
  look: LookUp;
  machine: MachineModel;
  nowT: number;
}

export const MachineCard = ({ spec, look, machine, nowT }: MachineCardProps) => {
  // The model is new on every batch, but the diagram's shape changes only with a newly visited state
  // or a new undeclared transition: lay it out again only then, keyed on the contents.
  const visitedKey = machine.visited.join('\n');
  const undeclaredKey = machine.undeclared.map((e) => `${e.from}>${e.to}`).join('\n');
  const layout = useMemo(() => layoutDiagram(spec, machine.visited, machine.undeclared), [spec, visitedKey, undeclaredKey]);
  const current = look(machine.state);
  const heading = `${spec.title} ${machine.name}`;
  const inCallsState = spec.callsIn !== undefined && machine.state === spec.callsIn.state && machine.calls !== undefined;
  return (
    <section className="sm-machine" aria-label={heading}>
      <div className="sm-machine-diagram">
        <StateDiagram
          layout={layout}
          look={look}
          state={machine.state}
          last={machine.last}
          transitionCount={machine.transitions}
          fresh={machine.last !== undefined && nowT - machine.last.t < FRESH_MS}
          label={`${spec.title} state: ${current.label}`}
        />
      </div>
      <div className="sm-machine-facts">
        <div className="sm-machine-title">
          <strong>{machine.name}</strong>
          <span className={`sm-pill tone-${current.tone}`} title={current.description}>
            {current.label}
          </span>
          <span className="muted">for {fmtRunTime(Math.max(0, nowT - machine.since))}</span>
        </div>
        <StateBand band={machine.band} look={look} nowT={nowT} label={`${heading}: states over the run`} />
        <div className="sm-machine-sub muted">
          {machine.transitions} transition{machine.transitions === 1 ? '' : 's'}
          {inCallsState && (
            <>
              {' '}
              · {spec.callsIn!.label}: <span className="ok-text">{machine.calls!.ok} ok</span>, <span className="bad-text">{machine.calls!.failed} failed</span>
            </>
          )}
        </div>
        {machine.recent.length > 0 ? (
          <ol className="sm-transitions" aria-label="Recent transitions">
            {machine.recent.map((t, i) => (
              // One line each, cut short with an ellipsis when the column is narrow; the whole of it as a tooltip.
              <li key={`${t.t}-${i}`} className={i === 0 ? 'latest' : ''} title={`${fmtRunTime(t.t)}: ${look(t.from).label} → ${look(t.to).label}${t.reason ? ` (${t.reason})` : ''}`}>
                <span className="t">{fmtRunTime(t.t)}</span> <StateName look={look} state={t.from} /> → <StateName look={look} state={t.to} />
                {t.reason && <span className="muted"> ({t.reason})</span>}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted small">{spec.emptyText ?? `No transitions yet: it starts ${look(spec.initial).label.toLowerCase()}.`}</p>
        )}
      </div>
    </section>
  );
};

const StateName = ({ look, state }: { look: LookUp; state: string }) => <span className={`sm-state-name tone-${look(state).tone}`}>{look(state).label}</span>;
