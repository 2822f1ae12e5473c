/**
 * The guided tour of the payments lab: healthy traffic, an outage that opens
 * the circuit, fast failures and probes while it is open, and the recovery.
 * Plain data: each step is ticked off by the run's own events.
 */
import type { StepBlock, Tour } from '../kit/index.ts';

/** Every step but the break needs checkout traffic. */
const LOAD_STOPPED: StepBlock = {
  when: [{ load: 'stopped' }],
  hint: 'No load is running, so no requests reach the circuit: in the **Load** panel, start the load again (20 requests/s is the lab’s default).',
};

export const tour: Tour = {
  lab: 'payments',
  title: 'Watch a circuit open, fail fast and close again',
  intro:
    'Checkout charges cards through the **payments** service, behind a circuit breaker that opens after 5 failures in a row ' +
    '(`DEFAULTS.consecutiveFailures`) and probes again after the reset timeout (5 s here). ' +
    'You will break payments, watch the circuit protect both sides, then heal payments and watch it recover.',
  steps: [
    {
      title: 'Let the traffic flow',
      instruction:
        'Press **Start run**. The **Load** panel already sends 20 `POST /checkout` requests a second. ' +
        'Watch the **request log** fill with `ok` answers and the **circuit** view sit in `closed`.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 20 },
        { type: 'metrics', where: { rate: { gte: 10 }, errorRate: { lte: 0.05 } } },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'payments', injected: true }],
          hint: 'Payments has a fault injected, so checkout cannot answer `ok`: press **Clear** in the **Faults: Payments service** panel first.',
        },
        LOAD_STOPPED,
      ],
      explanation:
        'Every request went through the closed circuit to payments and back in a few milliseconds. While the circuit is closed, ' +
        'it only watches: each outcome is reported to its breaker, and a success resets the run of failures.',
    },
    {
      title: 'Break payments',
      instruction:
        'In the **Faults: Payments service** panel, press **Fail 100%** (every call now fails with the chosen error, a 503 by ' +
        'default), then watch the **circuit** view.',
      until: [
        { type: 'fault.changed', where: { point: 'payments', 'spec.enabled': true, 'spec.errorRate': 1 } },
        { type: 'circuit.state', where: { from: 'closed', to: 'open', reason: 'failure-threshold' } },
      ],
      explanation:
        'Five calls failed in a row, in about a quarter of a second at this rate, and the breaker tripped: `closed → open` ' +
        '(reason `failure-threshold`). Without the circuit, every checkout would now wait for payments to fail, and payments ' +
        'would get the whole load while it is down.',
    },
    {
      title: 'See it fail fast, and probe',
      instruction:
        'Keep payments broken and watch the **request log**: requests now end `rejected` in about 0 ms. ' +
        'Wait for the reset timeout (5 s) and watch the circuit try a probe.',
      until: [
        { type: 'request', where: { direction: 'inbound', outcome: 'rejected' }, count: 5 },
        { type: 'circuit.state', where: { from: 'open', to: 'half-open', reason: 'reset-timeout' } },
        { type: 'circuit.state', where: { from: 'half-open', to: 'open', reason: 'probe-failed' } },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'payments', injected: false }],
          hint: 'Payments is healthy again, so the next probe will succeed instead of failing: press **Fail 100%** in the **Faults: Payments service** panel to keep it broken for this step.',
        },
        LOAD_STOPPED,
      ],
      explanation:
        'While open, the circuit refuses calls with `BrokenCircuitError` without touching payments, so the injected faults ' +
        'stop too: payments gets no traffic at all. After `resetTimeoutMs` the circuit went half-open and let **one** probe ' +
        'through (`halfOpenMaxProbes` is 1). It failed, so the circuit opened again for another 5 s.',
    },
    {
      title: 'Heal payments',
      instruction:
        'In the **Faults: Payments service** panel, press **Clear**. At the next half-open the probe will succeed: ' +
        'watch the **circuit** view.',
      until: [
        { type: 'circuit.state', where: { from: 'half-open', to: 'closed', reason: 'probes-succeeded' } },
        { type: 'request', where: { direction: 'inbound', outcome: 'ok' }, count: 10 },
      ],
      blockedWhen: [
        {
          when: [{ fault: 'payments', injected: true }],
          hint: 'Payments still has its fault, so every probe fails and the circuit opens again: clear the fault first (**Clear** in the **Faults: Payments service** panel).',
        },
        LOAD_STOPPED,
      ],
      explanation:
        'The probe succeeded, the circuit closed (`probes-succeeded`) and forgot its failure history, and checkout went back ' +
        'to `ok`. Users waited at most one reset timeout after payments recovered, and payments came back to one probe, ' +
        'not to the whole queue. Next, try the `failure-rate` policy with payments failing half its calls, or the exercises.',
    },
  ],
};
