/** What the payments lab draws: the circuit's state machine, the request log and the charts. */
import { metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const circuitView: ViewSpec = {
  kind: 'state-machine',
  title: 'Circuit',
  description: 'Each circuit’s state, lit; the requests it let through, failed fast or timed out.',
  event: 'circuit.state',
  fields: { name: 'name', from: 'from', to: 'to', reason: 'reason' },
  initial: 'closed',
  machines: ['payments'],
  states: [
    { id: 'closed', label: 'Closed', tone: 'ok', at: [0, 0], description: 'Calls go through; failures are counted.' },
    { id: 'open', label: 'Open', tone: 'bad', at: [2, 0], description: 'Calls fail fast, without reaching the downstream.' },
    { id: 'half-open', label: 'Half-open', tone: 'warn', at: [1, 1], description: 'A few probe calls find out whether it is back.' },
    { id: 'isolated', label: 'Isolated', tone: 'neutral', at: [1, 2], optional: true, description: 'Held open by hand.' },
  ],
  transitions: [
    { from: 'closed', to: 'open', label: 'failures trip it' },
    { from: 'open', to: 'half-open', label: 'reset timeout' },
    { from: 'half-open', to: 'open', label: 'probe failed' },
    { from: 'half-open', to: 'closed', label: 'probes ok' },
  ],
  requestCounters: true,
  callsIn: { state: 'half-open', label: 'probes' },
  emptyText: 'No transitions yet: the circuit starts closed. Make the downstream fail to trip it.',
};

export const paymentsViews: ViewSpec[] = [circuitView, requestLogView(), metricsCharts()];
