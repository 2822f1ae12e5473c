/**
 * What the service lab draws: the service's state (running, or refused with
 * its errors), every setting by the source it came from, the settings in use
 * and what an ignored edit would have changed, the validation errors, the
 * reloads, the pool, the request log and the logs.
 */
import { logsView, requestLogView, type ViewSpec } from '../kit/index.ts';

export const serviceViews: ViewSpec[] = [
  {
    kind: 'state-machine',
    title: 'The service',
    description:
      'Running on settings that validated, or refused: invalid settings stop the start, and the service answers 503 with every error until a restart reads valid ones. A reload that fails validation changes nothing here.',
    event: 'settings.service',
    initial: 'starting',
    states: [
      { id: 'starting', label: 'Starting', tone: 'info', at: [0, 0], description: 'Reading and validating its settings.' },
      { id: 'running', label: 'Running', tone: 'ok', at: [1, 0], description: 'Serving on settings that validated.' },
      { id: 'refused', label: 'Refused', tone: 'bad', at: [1, 1], description: 'Its settings are invalid: it answers 503 with the list of errors.' },
    ],
    transitions: [
      { from: 'starting', to: 'running', label: 'valid' },
      { from: 'starting', to: 'refused', label: 'invalid' },
      { from: 'running', to: 'starting', label: 'restart' },
      { from: 'refused', to: 'running', label: 'restarted, valid' },
      { from: 'refused', to: 'starting', label: 'restart' },
    ],
    requestCounters: true,
  },
  {
    kind: 'board',
    title: 'Settings by source',
    description:
      'Each setting in the column of the source its value came from, weakest to strongest: the schema’s default, the profile (APP_ENV), the .env file, the environment. The API key shows as the mask. "pending" is what an edit says while a cached service ignores it.',
    event: 'settings.value',
    itemField: 'setting',
    stateField: 'source',
    columns: [
      { state: 'default', label: 'Default', tone: 'neutral' },
      { state: 'profile', label: 'Profile', tone: 'info' },
      { state: '.env', label: '.env', tone: 'ok' },
      { state: 'environment', label: 'Environment', tone: 'ok' },
      { state: 'override', label: 'Override', tone: 'warn' },
    ],
    cardFields: [
      { field: 'value', label: 'value' },
      { field: 'line', label: '.env line' },
      { field: 'pending', label: 'pending' },
      { field: 'generation', label: 'generation', format: 'count' },
    ],
  },
  {
    kind: 'table',
    title: 'Settings in use',
    description:
      'One row per setting each time the service starts or applies a reload (generation). "pending" fills in when you edit the inputs of a cached service: the value it is not reading.',
    events: ['settings.value'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'generation', label: 'generation', format: 'count' },
      { field: 'setting', label: 'setting' },
      { field: 'value', label: 'value' },
      { field: 'source', label: 'source' },
      { field: 'line', label: '.env line' },
      { field: 'pending', label: 'pending (ignored)' },
    ],
    filters: ['setting', 'source'],
    search: ['setting', 'value', 'pending'],
    empty: 'The service has not read its settings yet.',
    maxRows: 1_000,
  },
  {
    kind: 'table',
    title: 'Validation errors',
    description:
      'Every problem of a refused start or a refused reload, all at once: the variable, where its value came from, what was expected and what it got (never a secret’s value).',
    events: ['settings.invalid'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'phase', label: 'at' },
      { field: 'attempt', label: 'attempt', format: 'count' },
      { field: 'variable', label: 'variable' },
      { field: 'source', label: 'source' },
      { field: 'line', label: '.env line' },
      { field: 'expected', label: 'expected' },
      { field: 'received', label: 'received' },
    ],
    filters: ['phase', 'variable', 'source'],
    search: ['variable', 'message'],
    empty: 'No invalid settings.',
    maxRows: 1_000,
  },
  {
    kind: 'table',
    title: 'Reads of the settings',
    description:
      'Each time the service read its sources: started or refused; a reload applied (what changed) or rejected (the old settings stay); an edit ignored by a cached service.',
    events: ['settings.reload'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'trigger', label: 'trigger' },
      { field: 'strategy', label: 'strategy' },
      { field: 'outcome', label: 'outcome' },
      { field: 'changed', label: 'changed' },
      { field: 'errors', label: 'errors', format: 'count' },
      { field: 'generation', label: 'generation', format: 'count' },
    ],
    filters: ['trigger', 'outcome', 'strategy'],
    empty: 'No reads yet.',
    maxRows: 500,
  },
  {
    kind: 'charts',
    title: 'Throughput, errors, latency and the pool',
    metrics: ['throughput', 'errors', 'latency'],
    rates: [{ event: 'settings.reload', where: { outcome: 'rejected' }, label: 'reloads rejected' }],
    levels: [
      { event: 'settings.pool', field: 'inUse', label: 'in use', chart: 'Connections to the pricing service' },
      { event: 'settings.pool', field: 'size', label: 'pool size (POOL_SIZE)', chart: 'Connections to the pricing service' },
      { event: 'settings.pool', field: 'waiting', label: 'waiting', chart: 'Connections to the pricing service' },
    ],
  },
  requestLogView(),
  logsView(),
];
