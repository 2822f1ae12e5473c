import type { FieldFilter, ViewSpecBase } from './common.ts';

/**
 * Charts over the run's time, sharing a cursor: from the periodic `metrics`
 * summaries (throughput, error share, latency percentiles), and the rate of
 * any event per second (retries/s, statements/s).
 */
export interface ChartsViewSpec extends ViewSpecBase {
  kind: 'charts';
  /** Which `metrics` charts to draw, in order. */
  metrics: Array<'throughput' | 'errors' | 'latency'>;
  /**
   * Further charts, after the metrics ones: how many of an event (those
   * matching `where`) per second. `label` names what is counted, in the
   * plural and lower case (`retries`): the chart reads "Retries per second".
   */
  rates?: Array<{ event: string; where?: FieldFilter; label: string }>;
}
