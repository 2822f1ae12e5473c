/**
 * The "api" lab: a fleet of client integrations calling the versioned users
 * API (api-versioning.ts) on the lab's own HTTP server. Each client was
 * written against one version's docs and names it its own way (URL prefix,
 * X-API-Version header, Accept media type), or names none; each checks every
 * answer against its version's docs (fleet.ts). v1 is announced deprecated
 * with a sunset date: the clients that read the Deprecation header move to
 * the newest version over the next minute, and the traffic chart shows when
 * v1 can be retired.
 *
 * The invariants are counted here, from what the clients received, against
 * the lab's own copy of the docs and of the deprecation it announced, never
 * asked of the API: it is the code under test.
 */
import { DisposableStore, type HttpResponse, type LabContext, type LabInstance, type LabRequest, type LabResult, type Params } from '../kit/index.ts';
import { VersionedApi } from './api-versioning.ts';
import type { Lifecycle } from './deprecation.ts';
import {
  bodyDifferences,
  docOf,
  DOCS,
  makeFleet,
  NEWEST_DOC,
  readDeprecation,
  readLinks,
  readSunset,
  requestOf,
  type FleetClient,
  type StoredUser,
  type VersionDoc,
} from './fleet.ts';
import { fleetParams } from './params.ts';
import { renderUser } from './versions.ts';

/** The healthy handler answers in 2–5 ms. */
const HANDLER_BASE_MS = 2;
const HANDLER_JITTER_MS = 3;
const MIGRATION_NOTES = 'https://api.example.com/docs/migrating-from-v1';

const GIVEN = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Margaret', 'Donald', 'Frances', 'Ken', 'Radia'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Hamilton', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
/** 40 users, made in 2023–2025 (whole seconds: every version can show the date exactly). */
const USERS: StoredUser[] = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  givenName: GIVEN[i % GIVEN.length]!,
  familyName: FAMILY[(i * 3) % FAMILY.length]!,
  email: `user${i + 1}@example.com`,
  createdAt: Date.UTC(2023, 0, 1) + i * 23 * 86_400_000 + i * 3_661_000,
}));

type Settings = typeof fleetParams.defaults;

/** What a client made of its answer. */
interface Verdict {
  ok: boolean;
  served: string;
  detail: string;
}

/**
 * What a request was sent under, kept until its answer is judged: the client
 * may upgrade, and the lab announce another lifecycle, while it is on its way.
 */
interface Sent {
  /** The docs of the version the client asked for. */
  doc: VersionDoc;
  /** Every lifecycle the lab announced for that version from the sending on: the one then in force first. */
  lifecycles: () => Array<Lifecycle | undefined>;
}

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const handlerFault = ctx.fault('handler');
  let settings = fleetParams.read(ctx.params);
  // The lab's start (the run's, or the last save's), in whole seconds: both headers carry seconds, and the lab compares them exactly.
  const startedAt = Math.floor(ctx.clock.wallNow() / 1_000) * 1_000;

  const api = new VersionedApi({
    clock: ctx.clock,
    migrationNotes: MIGRATION_NOTES,
    // The newest version's handler, the only one: the `handler` fault point is in it.
    async handler({ id }) {
      await handlerFault.hit();
      await ctx.clock.sleep(HANDLER_BASE_MS + ctx.random.next() * HANDLER_JITTER_MS);
      const user = USERS.find((u) => String(u.id) === id);
      return user ? { status: 200, body: renderUser(user) } : { status: 404, body: { error: `no user ${id}` } };
    },
  });
  store.add(api);

  let fleet: FleetClient[] = [];
  // Each fleet gets API keys of its own: a new client never inherits an old one's pin.
  let fleetsBuilt = 0;
  const nameOf = (key: string | undefined) => (key === undefined ? undefined : fleet.find((c) => c.key === key)?.name ?? key);
  const emitFleet = () => {
    const count = (label: string) => fleet.filter((c) => c.contract === label).length;
    ctx.emit({ type: 'api-versioning.fleet', v1: count('v1'), v2: count('v2'), v3: count('v3'), unversioned: fleet.filter((c) => c.scheme === 'none').length });
  };
  const buildFleet = () => {
    fleet = makeFleet({ size: settings.clients, mix: settings.mix, scheme: settings.scheme, unversionedShare: settings.unversionedShare, generation: fleetsBuilt++ }, ctx.random);
    emitFleet();
    ctx.log.info(`${fleet.length} clients: ${fleet.map((c) => `${c.name} ${c.contract} by ${c.scheme}`).join(', ')}`);
  };

  // Every lifecycle the lab announced for v1, in order (`undefined`: none): the clients' check compares the headers
  // with these, not with what the API holds. An answer may carry the one in force when its request was sent, or one
  // announced while it was on its way.
  const v1Lifecycles: Array<Lifecycle | undefined> = [];
  const announce = () => {
    const v1Lifecycle: Lifecycle | undefined = settings.deprecateV1 ? { deprecatedAt: startedAt, sunsetAt: startedAt + settings.sunsetAfterS * 1_000, link: MIGRATION_NOTES } : undefined;
    v1Lifecycles.push(v1Lifecycle);
    api.setLifecycle('v1', v1Lifecycle);
    ctx.emit({
      type: 'api-versioning.lifecycle',
      version: 'v1',
      announced: v1Lifecycle !== undefined,
      ...(v1Lifecycle && { deprecation: new Date(v1Lifecycle.deprecatedAt).toISOString(), sunset: new Date(v1Lifecycle.sunsetAt!).toISOString(), link: v1Lifecycle.link }),
    });
    if (v1Lifecycle) ctx.log.info(`v1 deprecated; sunset in ${settings.sunsetAfterS} s`, { link: v1Lifecycle.link, sunset: new Date(v1Lifecycle.sunsetAt!).toISOString() });
    else ctx.log.info('v1 is no longer deprecated');
  };
  /** What a request of `client` is sent under, captured now. */
  const sending = (client: FleetClient): Sent => {
    const doc = docOf(client.contract);
    const from = v1Lifecycles.length - 1;
    return { doc, lifecycles: () => (doc.label === 'v1' ? v1Lifecycles.slice(from) : [undefined]) };
  };

  store.add(
    api.onServe((e) => {
      const requestId = ctx.currentRequestId();
      const client = nameOf(e.clientKey);
      ctx.emit({
        type: 'api-versioning.served',
        ...(requestId !== undefined && { requestId }),
        ...(client !== undefined && { client }),
        scheme: e.scheme,
        version: e.version.label,
        versionId: e.version.id,
        chain: chainOf(e.version.label, e.status, e.transformations),
        transformations: e.transformations.length,
        status: e.status,
        deprecated: e.deprecated,
      });
    }),
  );
  store.add(
    api.onRefuse((e) => {
      const requestId = ctx.currentRequestId();
      const client = nameOf(e.clientKey);
      ctx.emit({ type: 'api-versioning.refused', ...(requestId !== undefined && { requestId }), ...(client !== undefined && { client }), status: e.status, reason: e.reason });
    }),
  );
  store.add(
    api.onPin((e) => {
      const client = nameOf(e.clientKey) ?? e.clientKey;
      ctx.emit({ type: 'api-versioning.pinned', client, version: e.version.label, versionId: e.version.id });
      ctx.log.info(`${client} named no version: pinned to ${e.version.label} (${e.version.id})`, { client, version: e.version.id });
    }),
  );

  /** The client's reading of its answer: the invariant `contract-kept`. */
  const judge = ({ doc, lifecycles }: Sent, response: HttpResponse, user: StoredUser, scheme: string): Verdict => {
    const servedId = response.headers['x-api-version'];
    const served = DOCS.find((d) => d.id === servedId)?.label ?? servedId ?? '-';
    const { status } = response;
    if (status === 200) {
      const problems = bodyDifferences(response.body, doc.body(user));
      if (servedId !== doc.id) problems.unshift(`the answer says it is ${servedId === undefined ? 'no version' : `${served} (${servedId})`}`);
      return { ok: problems.length === 0, served, detail: problems.length ? `written against ${doc.label}: ${problems.join('; ')}` : '' };
    }
    if (status === 410) {
      // Gone is part of the contract once the announced sunset has come, and the answer says so.
      const now = ctx.clock.wallNow();
      const sunsets = lifecycles().flatMap((l) => (l?.sunsetAt !== undefined && l.sunsetAt <= now ? [l.sunsetAt] : []));
      if (sunsets.length === 0) return { ok: false, served, detail: `${doc.label} answered 410 Gone before any announced sunset` };
      if (!sunsets.includes(readSunset(response.headers) ?? Number.NaN)) return { ok: false, served, detail: `${doc.label} answered 410 Gone without a readable Sunset header saying since when` };
      return { ok: true, served, detail: '' };
    }
    // An outage is an error the client understands, not a broken contract.
    if (status >= 500) return { ok: true, served, detail: '' };
    const error = (response.body as { error?: unknown } | undefined)?.error;
    return { ok: false, served, detail: `${doc.label} by ${scheme} was answered ${status}${typeof error === 'string' ? `: ${error}` : ''}` };
  };

  /**
   * The invariant `deprecation-announced`, keyed on the version the client asked for (never on the one the answer
   * claims): an answer in a version the lab deprecated carries the announcement, as announced; an answer for a
   * version the lab never deprecated carries no Deprecation or Sunset.
   */
  const checkAnnouncement = (request: LabRequest, client: FleetClient, { doc, lifecycles }: Sent, response: HttpResponse) => {
    const candidates = lifecycles();
    const deprecated = candidates.some((l) => l !== undefined);
    // A refusal was not answered in any version: contract-kept says what is wrong with it.
    const inVersion = response.status === 200 || response.status === 410 || response.headers['x-api-version'] === doc.id;
    if (deprecated && !inVersion) return;
    const problems = candidates.map((lifecycle) => announcementProblems(response.headers, lifecycle, doc.label));
    ctx.invariant('deprecation-announced', problems.some((p) => p.length === 0), () => `${request.id} (${client.name}, ${doc.label} by ${client.scheme}, ${response.status}): ${problems.at(-1)!.join('; ')}`);
  };

  /** A client whose team read a Deprecation header plans the upgrade. */
  const notice = (client: FleetClient, { doc }: Sent, response: HttpResponse) => {
    // The header is about the version the client asked for; once the client has moved on, it is old news.
    if (client.contract !== doc.label || doc.label === NEWEST_DOC.label) return;
    if (readDeprecation(response.headers) === undefined || client.migrateAt !== undefined || settings.migrationS === 0) return;
    client.migrateAt = ctx.clock.now() + ctx.random.next() * settings.migrationS * 1_000;
  };

  const migrateIfDue = (client: FleetClient) => {
    if (client.migrateAt === undefined || ctx.clock.now() < client.migrateAt) return;
    const from = client.contract;
    Object.assign(client, { contract: NEWEST_DOC.label, migrateAt: undefined });
    ctx.emit({ type: 'api-versioning.migrated', client: client.name, from, to: client.contract });
    ctx.log.info(`${client.name} upgraded from ${from} to ${client.contract}`, { client: client.name, from, to: client.contract });
    emitFleet();
  };

  const server = ctx.server('users-api', api);
  buildFleet();
  announce();
  let turn = 0;

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const client = fleet[turn++ % fleet.length]!;
      migrateIfDue(client);
      const user = USERS[Math.floor(ctx.random.next() * USERS.length)]!;
      const sent = requestOf(client, user.id);
      const under = sending(client);
      let response: HttpResponse;
      try {
        response = await server.request({
          method: 'GET',
          path: sent.path,
          headers: { ...sent.headers, 'x-request-id': request.id },
          ...(request.signal && { signal: request.signal }),
        });
      } catch (error) {
        return { outcome: 'error', error: error instanceof Error ? error.message : String(error), route: sent.route };
      }
      const verdict = judge(under, response, user, client.scheme);
      ctx.emit({
        type: 'api-versioning.checked',
        requestId: request.id,
        client: client.name,
        scheme: client.scheme,
        expected: under.doc.label,
        served: verdict.served,
        status: response.status,
        ok: verdict.ok,
        detail: verdict.detail,
      });
      ctx.invariant('contract-kept', verdict.ok, () => `${request.id} (${client.name}, ${client.scheme}): ${verdict.detail}`);
      checkAnnouncement(request, client, under, response);
      notice(client, under, response);
      return toResult(response, verdict, sent.route);
    },
    updateParams(params: Params) {
      const before = settings;
      settings = fleetParams.read(params, settings);
      if (['clients', 'mix', 'scheme', 'unversionedShare'].some((k) => before[k as keyof Settings] !== settings[k as keyof Settings])) buildFleet();
      if (before.deprecateV1 !== settings.deprecateV1 || before.sunsetAfterS !== settings.sunsetAfterS) announce();
    },
    dispose: () => store.dispose(),
  };
}

/** What ran for one request, as the flow view names it: `newest handler → take back v3 → take back v2`. */
const chainOf = (label: string, status: number, transformations: string[]): string => {
  if (status === 410) return `${label} retired (410)`;
  // Only a 200 is transformed: an error passes through as the handler answered it.
  if (status !== 200) return `newest handler (${status})`;
  return ['newest handler', ...transformations.map((v) => `take back ${v}`)].join(' → ');
};

/** What is wrong with the lifecycle headers of `headers` for an answer in version `label` announced as `lifecycle` (none: not deprecated). */
const announcementProblems = (headers: HttpResponse['headers'], lifecycle: Lifecycle | undefined, label: string): string[] => {
  const { deprecation, sunset, link } = headers;
  if (lifecycle === undefined) {
    return Object.entries({ Deprecation: deprecation, Sunset: sunset }).flatMap(([name, value]) =>
      value === undefined ? [] : [`${name} is ${JSON.stringify(value)}, but ${label} was never announced deprecated`],
    );
  }
  const problems: string[] = [];
  if (readDeprecation(headers) !== lifecycle.deprecatedAt) {
    problems.push(`Deprecation is ${JSON.stringify(deprecation ?? null)}, not @${lifecycle.deprecatedAt / 1_000} (RFC 9745)`);
  }
  if (lifecycle.sunsetAt !== undefined && readSunset(headers) !== lifecycle.sunsetAt) {
    problems.push(`Sunset is ${JSON.stringify(sunset ?? null)}, not ${new Date(lifecycle.sunsetAt).toUTCString()} (RFC 8594)`);
  }
  if (!readLinks(headers, 'deprecation').includes(lifecycle.link)) {
    problems.push(`Link ${JSON.stringify(link ?? null)} has no rel="deprecation" to ${lifecycle.link}`);
  }
  return problems;
};

/** Maps a client's answer to the request log's outcome. */
const toResult = (response: HttpResponse, verdict: Verdict, route: string): LabResult => {
  const { status } = response;
  if (!verdict.ok) return { outcome: 'error', status, route, error: `contract broken: ${verdict.detail}` };
  if (status === 200) return { outcome: 'ok', status, route };
  if (status === 410) return { outcome: 'rejected', status, route, error: `${verdict.served} retired: 410 Gone` };
  const error = (response.body as { error?: unknown } | undefined)?.error;
  return { outcome: 'error', status, route, error: typeof error === 'string' ? error : `HTTP ${status}` };
};
