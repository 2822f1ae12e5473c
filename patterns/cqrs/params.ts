/**
 * The orders lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`ordersParams.specs`) and lab.ts reads them typed, defaults included
 * (`ordersParams.read(ctx.params)`). All apply live.
 */
import { defineParams } from '../kit/index.ts';

export const ordersParams = defineParams({
  consistency: {
    label: 'Reading your own writes',
    description:
      "What a client's query promises about the command it sent just before. Eventual: it reads the read model as it is, maybe without its own write (a stale read). Wait for position: it hands the read side the position its command returned, and the read side waits until the read model has reached it. Write side for own writes: when the read model is behind that position, that one answer is read from the write side's tables.",
    type: 'enum',
    default: 'eventual',
    options: [
      { value: 'eventual', label: 'Eventual: read the read model as it is' },
      { value: 'wait-for-position', label: 'Wait for the position the command returned' },
      { value: 'write-side', label: 'Read own writes from the write side' },
    ],
  },
  queryShare: {
    label: 'Queries in the load',
    description:
      "The load's requests split into two lanes: this share are queries (a client reading its own summary, right after its last command), the rest commands (place an order, now and then register a new account). The Lanes chart shows each lane's rate.",
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    step: 0.05,
  },
  pollIntervalMs: {
    label: 'Projection poll interval',
    description: 'How often the projection looks for new events. The read model is behind by up to this much even when nothing is slow.',
    type: 'integer',
    default: 200,
    min: 10,
    max: 5_000,
    step: 10,
    unit: 'ms',
  },
  batchSize: {
    label: 'Projection batch size',
    description: 'The most events the projection applies in one transaction. Small batches and a slow projection fall behind a busy write side.',
    type: 'integer',
    default: 50,
    min: 1,
    max: 1_000,
  },
  projectionDelayMs: {
    label: 'Projection slowness',
    description: 'Extra time every batch takes (a slow read-model store, an expensive enrichment): the projection falls behind and the lag grows.',
    type: 'integer',
    default: 0,
    min: 0,
    max: 5_000,
    step: 50,
    unit: 'ms',
  },
  redeliveryShare: {
    label: 'Batches delivered twice',
    description:
      'At-least-once delivery: this share of batches is delivered a second time, as when the acknowledgement of a batch is lost. An idempotent projection skips what it has applied; one that is not counts those orders twice.',
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: 0.05,
  },
  readModelVersion: {
    label: 'Read model version',
    description:
      'Change it to rebuild the read model from zero: the projection empties it, sets its position to 0 and applies every event again. The log says how the rebuilt numbers differ from the old ones.',
    type: 'integer',
    default: 1,
    min: 1,
    max: 1_000,
  },
  waitTimeoutMs: {
    label: 'Wait for position: timeout',
    description: 'How long a query waits for the read model to reach its position before it answers 503 (better no answer than a stale one).',
    type: 'integer',
    default: 1_000,
    min: 50,
    max: 10_000,
    step: 50,
    unit: 'ms',
  },
});
