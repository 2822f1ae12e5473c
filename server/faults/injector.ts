/**
 * The fault injector of one fault point: it numbers the calls since the spec
 * was applied, reads the run time from the clock, and asks the model. The
 * simulated service and the real fault proxy each own one, so both number and
 * decide calls the same way.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { FaultDecision, FaultSpec } from '../../patterns/kit/faults.ts';
import { decide, isFullyDown, nextChangeAfter } from './model.ts';

/** Options shared by every transport built on an injector. */
export interface FaultInjectorOptions {
  clock: Clock;
  /**
   * The point's current spec, read on every call so a new spec takes effect at
   * once. Specs are values: return the same object until a new spec is applied.
   * A different object counts as a newly applied spec and restarts call
   * numbering (so `failFirst` counts again).
   */
  getSpec: () => FaultSpec;
  /**
   * The clock reading when the run started, because scheduled windows are in run
   * time. Default: the clock's reading when the injector is made.
   */
  runStartedAt?: number;
}

/** One call's number and what the model decided for it. */
export interface InjectedCall {
  call: number;
  decision: FaultDecision;
}

/** Numbers and decides the calls at one fault point. */
export class FaultInjector {
  private readonly clock: Clock;
  private readonly getSpec: () => FaultSpec;
  private readonly runStartedAt: number;
  private calls = 0;
  private appliedSpec: FaultSpec | undefined;

  constructor(options: FaultInjectorOptions) {
    this.clock = options.clock;
    this.getSpec = options.getSpec;
    this.runStartedAt = options.runStartedAt ?? options.clock.now();
  }

  /** The point's current spec; notices a newly applied one. */
  get spec(): FaultSpec {
    const spec = this.getSpec();
    if (spec !== this.appliedSpec) {
      this.appliedSpec = spec;
      this.calls = 0;
    }
    return spec;
  }

  /** Milliseconds since the run started, on the run's clock. */
  runTime(): number {
    return this.clock.now() - this.runStartedAt;
  }

  /** Takes the next call number and decides that call at the current run time. */
  next(): InjectedCall {
    const spec = this.spec;
    const call = this.calls++;
    return { call, decision: decide(spec, call, this.runTime()) };
  }

  /** True while every call is refused (see `isFullyDown`); such calls take no call number. */
  isDown(tMs = this.runTime()): boolean {
    return isFullyDown(this.spec, tMs);
  }

  /** The run time of the next window boundary after `tMs`, if any. */
  nextChangeAfter(tMs = this.runTime()): number | undefined {
    return nextChangeAfter(this.spec, tMs);
  }

  /**
   * Restarts call numbering at 0, as applying a new spec does: `failFirst`
   * counts afresh and the same spec replays the same decisions. Needed only
   * when the same spec object is applied again; a new object is noticed.
   */
  specChanged(): void {
    this.appliedSpec = undefined;
  }
}
