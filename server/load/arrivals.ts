/**
 * When each request of an open-model load is due: a pure function of the
 * profile, computed one arrival at a time so a long run holds no list of them.
 *
 * The rate is piecewise linear: it starts at `rate` and each stage moves it
 * linearly to the stage's `target` over the stage's `durationMs` (as k6's
 * ramping-arrival-rate does). Without stages the rate stays at `rate`. The
 * expected number of arrivals by time t is the area under the rate, N(t);
 * request n (n >= 1) is due when N(t) reaches n, and request 0 as soon as the
 * rate is above zero. So 100/s for 1 s gives exactly 100 requests, at 0, 10,
 * …, 990 ms, and a ramp from 0 to 100/s over 1 s gives 50.
 */
import type { OpenLoad } from '../../patterns/kit/load.ts';

interface Segment {
  /** Offset from the start of the load, ms. */
  startMs: number;
  /** Infinity for the constant rate of a profile without stages. */
  durationMs: number;
  /** Requests per ms at the segment's start. */
  from: number;
  /** Change of rate per ms, per ms. */
  slope: number;
  /** Arrivals expected within the segment. */
  count: number;
}

// Float slack when comparing arrival times with bounds and counts with segment sizes.
const EPSILON = 1e-9;

const segmentsOf = (profile: OpenLoad): Segment[] => {
  const startRate = profile.rate / 1000;
  if (!profile.stages || profile.stages.length === 0) {
    const count = startRate > 0 ? Infinity : 0;
    return [{ startMs: 0, durationMs: Infinity, from: startRate, slope: 0, count }];
  }
  const segments: Segment[] = [];
  let startMs = 0;
  let from = startRate;
  for (const stage of profile.stages) {
    const to = stage.target / 1000;
    const slope = stage.durationMs > 0 ? (to - from) / stage.durationMs : 0;
    segments.push({ startMs, durationMs: stage.durationMs, from, slope, count: ((from + to) / 2) * stage.durationMs });
    startMs += stage.durationMs;
    from = to;
  }
  return segments;
};

/** The offset within a segment at which `k` arrivals have been expected (k <= segment.count). */
const offsetFor = (segment: Segment, k: number): number => {
  if (k <= 0) return 0;
  // Constant rate: divide exactly, so 100/s puts request 99 at 990 ms, not 990.0000000001.
  if (segment.slope === 0) return k / segment.from;
  // Solve from*τ + slope*τ²/2 = k; this form of the quadratic root stays
  // accurate for ramps up and down and when `from` is zero.
  const root = Math.sqrt(Math.max(0, segment.from * segment.from + 2 * segment.slope * k));
  return (2 * k) / (segment.from + root);
};

/** Iterates the due times (ms from the start of the load) of an open-model profile. */
export class ArrivalSchedule {
  private readonly segments: Segment[];
  /** The load stops at the first of its duration and the end of its stages. */
  readonly endMs: number;
  private readonly amount: number;
  private index = 0;
  private segmentIndex = 0;
  /** Arrivals expected before the current segment starts. */
  private before = 0;

  constructor(profile: OpenLoad) {
    this.segments = segmentsOf(profile);
    const last = this.segments[this.segments.length - 1]!;
    this.endMs = Math.min(profile.durationMs ?? Infinity, last.startMs + last.durationMs);
    this.amount = profile.amount ?? Infinity;
  }

  /** Requests handed out so far. */
  get scheduled(): number {
    return this.index;
  }

  /** The due time of the next request without consuming it, or undefined when the load is over. */
  peek(): number | undefined {
    if (this.index >= this.amount) return undefined;
    const at = this.index === 0 ? this.firstArrival() : this.arrival(this.index);
    return at !== undefined && at < this.endMs - EPSILON ? at : undefined;
  }

  /** Consumes the request whose due time `peek` returned. */
  advance(): void {
    this.index += 1;
  }

  /** Request 0 is due as soon as the rate is above zero. */
  private firstArrival(): number | undefined {
    const segment = this.segments.find((s) => s.count > 0);
    return segment?.startMs;
  }

  private arrival(n: number): number | undefined {
    // Arrival times only grow, so the segment cursor only moves forward.
    for (;;) {
      const segment = this.segments[this.segmentIndex];
      if (!segment) return undefined;
      const k = n - this.before;
      const slack = EPSILON * Math.max(1, segment.count);
      // An arrival on the segment's last instant gets its end exactly: near a ramp's
      // zero the square root would turn float noise into microseconds of error.
      if (Number.isFinite(segment.count) && Math.abs(k - segment.count) <= slack) return segment.startMs + segment.durationMs;
      if (k < segment.count) return segment.startMs + Math.min(offsetFor(segment, k), segment.durationMs);
      this.before += segment.count;
      this.segmentIndex += 1;
    }
  }
}
