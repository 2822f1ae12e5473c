/**
 * The views the lab can draw, by id. A lab lists the ones it wants
 * (`LabManifest.views`); an id missing here is shown as "not available".
 */
import '../styles/lab.css';
import type { ViewId } from '../../../patterns/kit/index.ts';
import { ChartsView } from './charts/ChartsView.tsx';
import { CircuitView } from './circuit/CircuitView.tsx';
import { EventsView } from './events/EventsView.tsx';
import { LogsView } from './logs/LogsView.tsx';
import { RateLimitView } from './rate-limit/RateLimitView.tsx';
import { RequestLogView } from './request-log/RequestLogView.tsx';
import { RetriesView } from './retries/RetriesView.tsx';
import type { ViewDefinition } from './types.ts';

export const VIEWS: Partial<Record<ViewId, ViewDefinition>> = {
  circuit: { id: 'circuit', title: 'Circuit', Component: CircuitView },
  charts: { id: 'charts', title: 'Throughput, errors, latency', Component: ChartsView },
  'request-log': { id: 'request-log', title: 'Request log', Component: RequestLogView },
  retries: { id: 'retries', title: 'Retries', Component: RetriesView },
  events: { id: 'events', title: 'Event bus', Component: EventsView },
  'rate-limit': { id: 'rate-limit', title: 'Rate limiting', Component: RateLimitView },
  logs: { id: 'logs', title: 'Logs', Component: LogsView },
};
