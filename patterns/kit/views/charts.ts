import type { FieldFilter, ViewSpecBase } from './common.ts';

/**
 * Charts over the run's time, sharing a cursor: from the periodic `metrics`
 * summaries (throughput, error share, latency percentiles), the rate of any
 * event per second (retries/s, statements/s), and a level a lab reports
 * (a projection's lag, connections in use).
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
  /**
   * Further charts, after the rates: a level over time, the highest `field`
   * of the events (matching `where`) in each second, held until the next
   * report (a level stays where it was until something says otherwise).
   * `label` names it, lower case (`events behind`); `unit` follows figures
   * (`ms`). Several levels with one `chart` title share that chart.
   */
  levels?: Array<{ event: string; where?: FieldFilter; field: string; label: string; unit?: string; chart?: string }>;
}
