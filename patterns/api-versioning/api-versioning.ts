/**
 * A versioned users API: one resource, `GET /api/users/:id`, served in every
 * version of versions.ts. A client names its version in any of three ways,
 * and may name none:
 *
 *   URL prefix   GET /api/v2/users/7                           visible, cacheable, easy to curl
 *   header       X-API-Version: v2  (or 2025-01-01)            the URL stays the resource's name
 *   media type   Accept: application/vnd.example.v2+json       content negotiation, as HTTP intends
 *   (nothing)    the version its API key was pinned to at its first request (Stripe's way)
 *
 * Whatever the way, one handler runs, the newest; the response is then
 * walked down the version changes to the version asked for, and carries the
 * version that served it (`X-API-Version`, and `Vary` on what chose it), and, when that version is
 * deprecated, its Deprecation, Sunset and Link headers (deprecation.ts).
 */
import { Emitter, type Clock, type Event, type HttpResponse, type ServiceRequest } from '../kit/index.ts';
import { checkLifecycle, isGone, lifecycleHeaders, type Lifecycle } from './deprecation.ts';
import { CHANGES, INITIAL_VERSION, type Body, type Version, type VersionChange } from './versions.ts';

/** How the version of a request was chosen. */
export type Scheme = 'url' | 'header' | 'media-type' | 'pinned';

/** What the newest handler answers for `GET /api/users/:id`: a status and, on 200, the newest version's body. */
export interface HandlerResult {
  status: number;
  body: Body;
}

/**
 * Where a client's version is remembered when it names none: the pin of its
 * API key, kept as the version's id (its date, `2026-01-01`), never its label
 * or a `Version` object.
 */
export interface PinStore {
  /** The id (date) of the version `clientKey` is pinned to, if it is pinned. */
  get(clientKey: string): string | undefined;
  /** Pins `clientKey` to the version whose id (date) is `versionId`. */
  set(clientKey: string, versionId: string): void;
}

export interface VersionedApiOptions {
  /** Wall time decides when a sunset has come. */
  clock: Clock;
  /** The newest version's handler: the only one there is. */
  handler: (params: { id: string }) => Promise<HandlerResult>;
  /** Default: the changes of versions.ts, newest first. */
  changes?: readonly VersionChange[];
  /** Default: the first version of versions.ts. */
  initial?: Version;
  /** Default: a Map, this process's. In production, a column of the API keys' table. */
  pins?: PinStore;
  /** The migration notes a client pinned to a version that no longer exists is sent to, with its 410 Gone. */
  migrationNotes?: string;
}

export interface ServedEvent {
  clientKey: string | undefined;
  scheme: Scheme;
  version: Version;
  /** The versions whose change was taken back, newest first (`['v3', 'v2']` to serve v1): none for the newest. */
  transformations: string[];
  status: number;
  deprecated: boolean;
}

export interface RefusedEvent {
  clientKey: string | undefined;
  status: number;
  reason: string;
}

/** The header naming a version, in a request and in every response. */
export const VERSION_HEADER = 'x-api-version';
/** `application/vnd.example.v2+json`: the media type of each version. */
export const mediaTypeOf = (label: string): string => `application/vnd.example.${label}+json`;

/** `Vary` of an answer in the version a key is pinned to: it depends on the key too. */
const PINNED_VARY = 'Accept, X-API-Version, X-API-Key';

const ROUTE = /^\/api(?:\/(v[^/]+))?\/users\/([^/?]+)$/;
/** What an Accept header may take instead of a version's media type: any JSON, so the version is chosen another way. */
const ANY_JSON = ['application/json', 'application/*', '*/*'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The version an Accept header (RFC 9110, section 12.5.1) asks for: of the
 * versions' media types it lists, the one with the highest q (the first
 * listed on a tie), types compared without regard to case. An entry with
 * q=0 means "not this", and counts for nothing. `version` is undefined when
 * the header lists no version it accepts but takes any JSON (or there is no
 * header): another scheme, or the pin, decides then. `acceptable` is false
 * when the header takes nothing the API sends: a 406.
 */
export const versionFromAccept = (accept: string | undefined, versions: readonly Version[]): { acceptable: boolean; version?: Version } => {
  if (accept === undefined || accept.trim() === '') return { acceptable: true };
  let best: { version: Version; q: number } | undefined;
  let anyJson = false;
  for (const entry of accept.split(',')) {
    const [type = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    if (!(q > 0)) continue;
    const version = versions.find((v) => mediaTypeOf(v.label).toLowerCase() === type);
    if (version && (best === undefined || q > best.q)) best = { version, q };
    if (ANY_JSON.includes(type)) anyJson = true;
  }
  if (best) return { acceptable: true, version: best.version };
  return { acceptable: anyJson };
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

export class VersionedApi {
  /** Every version, newest first: `versions[i]` is served by taking back `changes[0..i)`. */
  readonly versions: readonly Version[];
  private readonly changes: readonly VersionChange[];
  private readonly lifecycles = new Map<string, Lifecycle>();
  private readonly pins: PinStore;
  private readonly served = new Emitter<ServedEvent>();
  private readonly refused = new Emitter<RefusedEvent>();
  private readonly pinned = new Emitter<{ clientKey: string; version: Version }>();

  /** A request was answered in a version (a 410 for a version past its sunset included). */
  readonly onServe: Event<ServedEvent> = this.served.event;
  /** A request was refused before any version ran: an unknown version, conflicting ones, or a pin to a version that no longer exists. */
  readonly onRefuse: Event<RefusedEvent> = this.refused.event;
  /** A client that named no version was pinned to one, at its first request. */
  readonly onPin: Event<{ clientKey: string; version: Version }> = this.pinned.event;

  constructor(private readonly options: VersionedApiOptions) {
    this.changes = options.changes ?? CHANGES;
    this.versions = [...this.changes, options.initial ?? INITIAL_VERSION].map(({ id, label }) => ({ id, label }));
    this.pins = options.pins ?? new Map<string, string>();
    // Date names sort as strings: each version must be newer than the one after it.
    this.versions.forEach((v, i) => {
      if (!DATE.test(v.id)) throw new RangeError(`version ${v.label}: its id must be the date it was released (YYYY-MM-DD), got ${v.id}`);
      const older = this.versions[i + 1];
      if (older && older.id >= v.id) throw new RangeError(`version ${v.label} (${v.id}) must be newer than ${older.label} (${older.id}): list the changes newest first`);
      if (this.versions.findIndex((o) => o.label === v.label) !== i) throw new RangeError(`two versions are labelled ${v.label}`);
    });
  }

  /** The newest version: what a new client is pinned to. */
  get newest(): Version {
    return this.versions[0]!;
  }

  /** The version named `name` (its date or its label), if there is one. */
  find(name: string): Version | undefined {
    return this.versions.find((v) => v.id === name || v.label === name);
  }

  /** Announces (or, with `undefined`, withdraws) the deprecation of a version. */
  setLifecycle(name: string, lifecycle: Lifecycle | undefined): void {
    const version = this.find(name);
    if (!version) throw new RangeError(`no version ${name}`);
    if (lifecycle === undefined) return void this.lifecycles.delete(version.id);
    checkLifecycle(version.id, lifecycle);
    this.lifecycles.set(version.id, lifecycle);
  }

  /** Serves one request: a ServiceDefinition's `handle`, so it runs behind any HTTP server. */
  readonly handle = async (request: ServiceRequest): Promise<HttpResponse> => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const clientKey = headers['x-api-key'];
    const refuse = (status: number, reason: string, extra: { body?: Record<string, unknown>; headers?: Record<string, string> } = {}) => {
      this.refused.fire({ clientKey, status, reason });
      return json(status, { error: reason, ...extra.body }, extra.headers);
    };

    const route = request.method === 'GET' ? ROUTE.exec(request.path) : null;
    if (!route) return refuse(404, `no route ${request.method} ${request.path}`);
    const [, prefix, id] = route;

    // Every version the request names, by the scheme that names it (an Accept that takes nothing the API sends names none it knows).
    const named: Array<[Scheme, string, Version | undefined]> = [];
    if (prefix !== undefined) named.push(['url', prefix, this.find(prefix)]);
    if (headers[VERSION_HEADER]) named.push(['header', headers[VERSION_HEADER].trim(), this.find(headers[VERSION_HEADER].trim())]);
    const accepted = versionFromAccept(headers.accept, this.versions);
    if (accepted.version) named.push(['media-type', accepted.version.label, accepted.version]);
    else if (!accepted.acceptable) named.push(['media-type', headers.accept!, undefined]);

    let scheme: Scheme;
    let version: Version | undefined;
    if (named.length > 0) {
      const unknown = named.find(([, , v]) => v === undefined);
      if (unknown) {
        const [s, name] = unknown;
        // Each scheme's own status: no such URL, a bad header, or no representation the client accepts.
        return refuse(s === 'url' ? 404 : s === 'header' ? 400 : 406, `no version ${name} (${s}); versions: ${this.versions.map((v) => `${v.label} (${v.id})`).join(', ')}`);
      }
      if (new Set(named.map(([, , v]) => v!.id)).size > 1) {
        return refuse(400, `conflicting versions: ${named.map(([s, name]) => `${name} by ${s}`).join(', ')}`);
      }
      [scheme, , version] = named[0]!;
    } else {
      // Named nothing: the version the client was pinned to at its first request, never a default that moves.
      if (clientKey === undefined) return refuse(400, `name a version: /api/${this.newest.label}/…, ${VERSION_HEADER}, or Accept: ${mediaTypeOf(this.newest.label)}`);
      scheme = 'pinned';
      const pin = this.pins.get(clientKey);
      if (pin === undefined) {
        version = this.newest;
        this.pins.set(clientKey, version.id);
        this.pinned.fire({ clientKey, version });
      } else {
        version = this.find(pin);
        // Pinned to a version since removed: say so, never move the client to another version unasked.
        if (version === undefined) {
          return refuse(410, `version ${pin}, which this API key is pinned to, has been retired: name a version (/api/${this.newest.label}/…, ${VERSION_HEADER}, or Accept: ${mediaTypeOf(this.newest.label)})`, {
            body: this.options.migrationNotes === undefined ? {} : { migrate: this.options.migrationNotes },
            headers: { vary: PINNED_VARY },
          });
        }
      }
    }
    return this.serve({ id: id!, clientKey, scheme, version: version! });
  };

  private async serve(req: { id: string; clientKey: string | undefined; scheme: Scheme; version: Version }): Promise<HttpResponse> {
    const { version } = req;
    const lifecycle = this.lifecycles.get(version.id);
    const headers = {
      [VERSION_HEADER]: version.id,
      // A cache must keep each version apart: the same URL answers differently by header, and, for a client that names none, by its key.
      vary: req.scheme === 'pinned' ? PINNED_VARY : 'Accept, X-API-Version',
      ...lifecycleHeaders(lifecycle),
    };
    const done = (response: HttpResponse, transformations: string[]) => {
      this.served.fire({ clientKey: req.clientKey, scheme: req.scheme, version, transformations, status: response.status, deprecated: lifecycle !== undefined });
      return response;
    };
    if (isGone(lifecycle, this.options.clock.wallNow())) {
      return done(json(410, { error: `version ${version.label} (${version.id}) has been retired`, migrate: lifecycle!.link }, headers), []);
    }

    let result: HandlerResult;
    try {
      result = await this.options.handler({ id: req.id });
    } catch {
      return done(json(500, { error: 'Internal Server Error' }, headers), []);
    }
    if (result.status !== 200) return done(json(result.status, result.body, headers), []);

    // Walk down from the newest version, taking back one change at a time.
    let body = result.body;
    const transformations: string[] = [];
    for (const change of this.changes) {
      if (change.id === version.id) break;
      body = change.toPrevious(body);
      transformations.push(change.label);
    }
    return done({ status: 200, headers: { 'content-type': mediaTypeOf(version.label), ...headers }, body }, transformations);
  }

  dispose(): void {
    this.served.dispose();
    this.refused.dispose();
    this.pinned.dispose();
  }
}
