/**
 * The generic state-machine view (a circuit breaker's, a job's), in the
 * spirit of the Hystrix dashboard: per machine its diagram lit live, its
 * states along the run and its recent transitions; beside them, with
 * `requestCounters`, the inbound requests' error percentage and counters.
 */
import './state-machine.css';
import { useMemo } from 'react';
import type { StateMachineViewSpec } from '../../../../patterns/kit/index.ts';
import { useViewModel } from '../shared/useViewModel.ts';
import type { ViewProps } from '../types.ts';
import { MachineCard } from './MachineCard.tsx';
import { makeStateMachineReducer } from './reducer.ts';
import { RequestCounters } from './RequestCounters.tsx';
import { lookUpStates } from './states.ts';

export const StateMachineView = ({ spec, events, revision, nowT }: ViewProps<StateMachineViewSpec>) => {
  const reducer = useMemo(() => makeStateMachineReducer(spec), [spec]);
  const look = useMemo(() => lookUpStates(spec), [spec]);
  const model = useViewModel(reducer, events, revision, nowT);
  return (
    // The layout follows the view's own width, not the window's (state-machine.css): the lab's views column is as wide as the window and the controls beside it leave.
    <div className="sm-container">
      <div className={model.requests ? 'state-machine-view with-counters' : 'state-machine-view'}>
        <div className="sm-machines">
          {model.machines.map((machine) => (
            <MachineCard key={machine.name} spec={spec} look={look} machine={machine} nowT={nowT} />
          ))}
          {model.letGo > 0 && (
            <p className="muted small">
              Showing the {model.machines.length} most recently active machines; {model.letGo} quieter one{model.letGo === 1 ? ' is' : 's are'} no longer
              followed.
            </p>
          )}
        </div>
        {model.requests && <RequestCounters model={model.requests} />}
      </div>
    </div>
  );
};
