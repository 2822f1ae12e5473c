/**
 * The settings a running service reads, and how they change while it runs.
 *
 * `SettingsStore.open` resolves the settings once, at start, and refuses to
 * start (throws `SettingsError`, every problem listed) when they are invalid.
 * `reload()` reads the sources again and validates them *before* anything
 * changes: valid settings replace the old ones in one step; invalid ones are
 * refused, with every problem, and the service goes on with the settings it
 * had. A typo pushed to a running service costs a warning, not an outage.
 *
 * The widely copied Python version caches `get_settings()` with `@lru_cache`:
 * nothing it read changes until the process restarts, and nothing says so.
 * The usual fix, `get_settings.cache_clear()`, throws the good settings away
 * first: the next call re-reads, raises on an invalid value, and every request
 * after it fails. Here the good settings are kept until better ones exist.
 */
import { Emitter, type Disposable, type Event } from '../kit/index.ts';
import { resolveSettings, SettingsError, type ResolvedSettings, type ResolveOptions, type SettingIssue, type SettingsSources } from './settings.ts';
import type { z } from '../kit/index.ts';
import { Secret } from './secret.ts';

export interface SettingsStoreOptions<S extends z.ZodObject> extends ResolveOptions {
  schema: S;
  /** Reads the sources afresh: the environment, the .env file. Called at open and at each reload. */
  load: () => SettingsSources | Promise<SettingsSources>;
}

/** What a reload did. */
export type ReloadOutcome<T> =
  | { kind: 'applied'; settings: ResolvedSettings<T>; changed: string[] }
  | { kind: 'unchanged' }
  | { kind: 'rejected'; issues: readonly SettingIssue[] };

export interface SettingsChange<T> {
  previous: ResolvedSettings<T>;
  current: ResolvedSettings<T>;
  /** The variables whose value or source changed. */
  changed: string[];
}

/**
 * The variables whose value or source differ between two resolutions. Values
 * are compared as held, not as shown: a secret shows as the mask either way.
 */
const changedBetween = <T>(before: ResolvedSettings<T>, after: ResolvedSettings<T>): string[] => {
  const old = new Map(before.settings.map((s) => [s.variable, s]));
  const changed = after.settings.filter((s) => {
    const was = old.get(s.variable);
    // A secret shows as the mask: compare what it holds (through values), not what it shows.
    const value = (r: ResolvedSettings<T>) => {
      const v = (r.values as Record<string, unknown>)[s.key];
      return v instanceof Secret ? v.reveal() : v;
    };
    return !was || was.source !== s.source || value(before) !== value(after);
  });
  return changed.map((s) => s.variable);
};

export class SettingsStore<S extends z.ZodObject> implements Disposable {
  #current: ResolvedSettings<z.output<S>>;
  /** Reloads run one at a time, in order: an older read must never land after a newer one. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #changed = new Emitter<SettingsChange<z.output<S>>>();
  readonly #rejected = new Emitter<readonly SettingIssue[]>();

  /** Fires when a reload replaced the settings. */
  readonly onChanged: Event<SettingsChange<z.output<S>>> = this.#changed.event;
  /** Fires when a reload was refused: the old settings stay. */
  readonly onRejected: Event<readonly SettingIssue[]> = this.#rejected.event;

  private constructor(
    private readonly options: SettingsStoreOptions<S>,
    initial: ResolvedSettings<z.output<S>>,
  ) {
    this.#current = initial;
  }

  /** Reads and validates the settings; throws `SettingsError` (the service must not start) when they are invalid. */
  static async open<S extends z.ZodObject>(options: SettingsStoreOptions<S>): Promise<SettingsStore<S>> {
    const sources = await options.load();
    return new SettingsStore(options, resolveSettings(options.schema, sources, options));
  }

  /** The settings in use: always a complete, validated set. */
  get current(): ResolvedSettings<z.output<S>> {
    return this.#current;
  }

  /** Reads the sources again; replaces the settings only if the new ones are valid. */
  reload(): Promise<ReloadOutcome<z.output<S>>> {
    const next = this.#queue.then(() => this.#reloadNow());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #reloadNow(): Promise<ReloadOutcome<z.output<S>>> {
    let resolved: ResolvedSettings<z.output<S>>;
    try {
      // Validate first, into a local: nothing the service reads has changed yet.
      resolved = resolveSettings(this.options.schema, await this.options.load(), this.options);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      this.#rejected.fire(error.issues);
      return { kind: 'rejected', issues: error.issues };
    }
    const changed = changedBetween(this.#current, resolved);
    if (changed.length === 0) return { kind: 'unchanged' };
    const previous = this.#current;
    // One assignment: a reader sees the old settings or the new ones, never a mix.
    this.#current = resolved;
    this.#changed.fire({ previous, current: resolved, changed });
    return { kind: 'applied', settings: resolved, changed };
  }

  dispose(): void {
    this.#changed.dispose();
    this.#rejected.dispose();
  }
}
