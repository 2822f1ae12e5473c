/**
 * A view reducer's fold, kept with checkpoints so that scrubbing a long run
 * stays smooth: every `every` events (by `seq`) along the run a copy of the
 * accumulator is kept, and moving the scrub position resumes from the nearest
 * checkpoint at or before it — at most about `every` steps per move, whatever
 * the run's length — instead of folding every event again.
 *
 * The events given are the page's window of the run in `seq` order (see
 * api/history.ts): live, the whole window; scrubbed, a prefix of it. The
 * result equals folding those events from the window's start. (Once the page
 * trims its oldest events, the fold keeps what it folded from them: counters
 * stay those of everything the page saw.)
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import type { ViewReducer } from './reducer.ts';

export const CHECKPOINT_EVERY = 2_000;

/** Accumulators are plain data (objects, arrays, Maps, Sets): a structured clone copies them. */
const defaultClone = <T>(value: T): T => structuredClone(value);

/** The index of the first event whose `seq` is greater than `seq` (events in `seq` order). */
export const indexAfterSeq = (events: readonly TelemetryEvent[], seq: number): number => {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

interface Checkpoint<Acc> {
  /** The last event folded into `acc`. */
  seq: number;
  acc: Acc;
}

export class CheckpointedFold<Acc, Model> {
  private checkpoints: Array<Checkpoint<Acc>> = [];
  /** The accumulator being folded, and the seq of the last event in it (-Infinity: none yet). */
  private work: Acc;
  private workSeq = -Infinity;
  /** The run, and the first seq of the window the checkpoints were made from. */
  private runId: string | undefined;
  private origin = Infinity;
  private readonly every: number;
  private readonly clone: (acc: Acc) => Acc;

  constructor(
    readonly reducer: ViewReducer<Acc, Model>,
    options: { every?: number; clone?: (acc: Acc) => Acc } = {},
  ) {
    this.every = options.every ?? CHECKPOINT_EVERY;
    this.clone = options.clone ?? defaultClone;
    this.work = reducer.init();
  }

  /** How many checkpoints are kept now. */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  private reset(events: readonly TelemetryEvent[]): void {
    this.checkpoints = [];
    this.work = this.reducer.init();
    this.workSeq = -Infinity;
    this.runId = events[0]?.runId;
    this.origin = events[0]?.seq ?? Infinity;
  }

  /** The model of `events` (a window of one run, in `seq` order) at run time `nowT`. */
  model(events: readonly TelemetryEvent[], nowT: number): Model {
    if (events.length === 0) {
      this.reset(events);
      return this.reducer.view(this.work, nowT);
    }
    // Another run, or older events arrived in front of what was folded: start over.
    if (events[0]!.runId !== this.runId || events[0]!.seq < this.origin) this.reset(events);
    const first = events[0]!.seq;
    // Checkpoints the window has trimmed away are no use any more.
    if (this.checkpoints.length > 0 && this.checkpoints[0]!.seq < first) {
      this.checkpoints = this.checkpoints.filter((c) => c.seq >= first);
    }
    const target = events[events.length - 1]!.seq;

    // Resume from the working accumulator when it is at or before the target, unless a
    // checkpoint is closer; after a move back, from the nearest checkpoint (or the start).
    const checkpoint = this.nearestCheckpoint(target);
    const workUsable = this.workSeq <= target;
    if (!workUsable || (checkpoint && checkpoint.seq > this.workSeq)) {
      if (checkpoint) {
        this.work = this.clone(checkpoint.acc);
        this.workSeq = checkpoint.seq;
      } else {
        this.work = this.reducer.init();
        this.workSeq = -Infinity;
      }
    }

    const from = this.workSeq === -Infinity ? 0 : indexAfterSeq(events, this.workSeq);
    let lastCheckpointSeq = this.checkpoints.at(-1)?.seq ?? this.origin - 1;
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      this.reducer.step(this.work, event);
      this.workSeq = event.seq;
      // Beyond the last checkpoint, one every `every` seqs.
      if (event.seq > lastCheckpointSeq && event.seq - lastCheckpointSeq >= this.every) {
        this.checkpoints.push({ seq: event.seq, acc: this.clone(this.work) });
        lastCheckpointSeq = event.seq;
      }
    }
    return this.reducer.view(this.work, nowT);
  }

  /** The checkpoint with the greatest seq at or before `seq`. */
  private nearestCheckpoint(seq: number): Checkpoint<Acc> | undefined {
    const list = this.checkpoints;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1] : undefined;
  }
}
