/**
 * What the fuzz suite sends: fast-check generators for every part of a request a client
 * controls. Each one mixes values of this workbench that get a request past validation and
 * into a handler (real pattern ids, files, exercises, a live run) with the classic
 * troublemakers of that part (malformed %-escapes, dot segments, prototype names, numbers
 * at the edges, duplicates, huge values). Valid values are listed first in each `oneof`, so
 * fast-check shrinks a failing request towards a plain, valid-looking one and what is left
 * in the counterexample is what matters.
 *
 * Values use the placeholders of `wire.ts` ($TOKEN, $PORT, $RUN, $ENDED_RUN, $LONG<n>, $BIG<n>, $DEEP<n>).
 */
import fc from 'fast-check';
import type { ParamSpec } from '../../patterns/kit/index.ts';
import type { WireRequest } from './wire.ts';

/** Values of the running workbench, read from its own API before fuzzing starts. */
export interface Known {
  patternIds: string[];
  labIds: string[];
  /** Editable files of every pattern. */
  files: string[];
  /** Each pattern's editable files. */
  filesByPattern: Record<string, string[]>;
  /** Fault points of the live run's lab. */
  faultPoints: string[];
  /** Parameters of the live run's lab. */
  params: ParamSpec[];
  exerciseIds: string[];
  /** One exercise's starter code: code that compiles and runs its checks. */
  starter: string;
  /** Paths of files of the web build (`/assets/app-….js`). */
  assets: string[];
}

/** A route as the route tables declare it. */
export interface RouteShape {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
}

/** `fc.oneof` with weights written first, so the relative odds read at a glance. */
const weighted = <T>(...choices: Array<[weight: number, arbitrary: fc.Arbitrary<T>]>): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

// ---------------------------------------------------------------------------------------------
// Paths and query strings
// ---------------------------------------------------------------------------------------------

/**
 * URL pieces that have broken path and query handling somewhere: malformed, truncated and
 * overlong %-escapes (decodeURIComponent throws on them), encoded slashes and dots (path
 * traversal), names that live on Object.prototype (lookups in plain objects), and numbers
 * at the edges of what Number() and zod accept.
 */
const TRICKY_PIECES = [
  '%', '%%', '%2', '%zz', '%00', '%0a', '%2F', '%5C', '%252F', '%2e', '%2e%2e', '..', '.', '~',
  '%C0%AF', '%E0%A4%A', '%ED%A0%80', '%FF', '%F0%9F%98%80', '%u0041',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '0', '-1', '00', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '-0', '9007199254740993', '0x10',
  '+', ';', ',', '*', '!', "'", '"', '<', '>', '(', ')', '[]', '{}', ':', '@', '=', '&', '$', '|', '\\', '^', '`',
];

/** Raw, unencoded characters on the request line: no browser sends them, a socket can. */
const RAW_PIECES = [' ', '\t', 'é', '😀', '\u202e', '\ufeff', '\u0085', '\u00a0', '\x7f', '\x01', '#', '?', '/'];

/**
 * One path segment (or query value) that is anything but valid, written the way a URL may
 * carry it (what is not URL-safe is %-encoded), so that it gets past node's parser.
 */
const encodedSegment: fc.Arbitrary<string> = weighted(
  [5, fc.array(fc.oneof(pick(TRICKY_PIECES), fc.stringMatching(/^[a-z0-9._-]{1,8}$/)), { minLength: 1, maxLength: 4 }).map((p) => p.join(''))],
  // Unicode, properly encoded: gets past the URL parser into the handlers.
  [2, fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent)],
  // Long enough to hit the server's header limit (16 KB for the request line and headers).
  [1, fc.integer({ min: 256, max: 20_000 }).map((n) => `$LONG${n}`)],
);

/** What no browser sends on a request line but a socket can: raw spaces, controls, UTF-8, anything. */
const rawSegment: fc.Arbitrary<string> = fc.oneof(pick(RAW_PIECES), fc.string({ unit: 'binary', maxLength: 8 }));

/** A segment: mostly one node's parser lets through (so the app sees it), now and then raw bytes it may refuse. */
export const fuzzSegment: fc.Arbitrary<string> = weighted([19, encodedSegment], [1, rawSegment]);

/** Names of query parameters the API reads, and some it does not. */
const QUERY_KEYS = ['patternId', 'after', 'from', 'to', 'limit', 'token', 'run', 'lab', 'a[]', 'a[b]', '__proto__', 'constructor[prototype][x]', ''];
const QUERY_NUMBERS = ['-1', '0', '1', '10000', '10001', '1e309', '-1e309', 'NaN', '0x10', '+', '%20', '', '1.5', '-0'];

const queryString = (known: Known): fc.Arbitrary<string> => {
  const value = weighted([3, pick([...known.patternIds, ...QUERY_NUMBERS])], [3, encodedSegment]);
  const key = weighted([3, pick(QUERY_KEYS)], [1, encodedSegment]);
  return weighted(
    [8, fc.constant('')],
    [
      10,
      fc
        .array(fc.tuple(key, fc.option(value, { nil: undefined })), { minLength: 1, maxLength: 5 })
        .map((pairs) => `?${pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')}`),
    ],
    [1, pick(['?', '??', '?&&', '?=', '?%', '?a=%', '?a=%E0%A4%A', '?a=1&a=2&a=3', '?a[a][a][a][a][a][a][a][a]=1'])],
    [1, rawSegment.map((raw) => `?a=${raw}`)],
    // More parameters than node's querystring parses (1000).
    [1, fc.integer({ min: 900, max: 1500 }).map((n) => `?${'x=1&'.repeat(n)}`)],
  );
};

/** Which real values fit a path parameter, by the route's area and the parameter's name. */
const poolFor = (known: Known, path: string, name: string): string[] => {
  const area = path.split('/')[2] ?? '';
  const pools: Record<string, string[]> = {
    'patterns.id': known.patternIds,
    'patterns.file': known.files,
    'patterns.version': ['1', '2', '3'],
    'runs.id': ['$RUN', '$ENDED_RUN'],
    'runs.point': known.faultPoints,
    'exercises.id': known.exerciseIds,
  };
  // A parameter of a new route: any real value may fit.
  return pools[`${area}.${name}`] ?? Object.values(pools).flat();
};

/** A path parameter: a real value most of the time (so the handler runs), else trouble. */
const paramValue = (pool: string[]): fc.Arbitrary<string> =>
  pool.length > 0 ? weighted([7, pick(pool)], [3, fuzzSegment]) : fuzzSegment;

/**
 * Values for all the path parameters of a route (`fuzzed`: a real value or trouble, each;
 * else real values only). A pattern's file exists only in that pattern, so `:id` and
 * `:file` of a pattern come as a real pair most of the time.
 */
const routeParams = (known: Known, path: string, names: string[], fuzzed: boolean): fc.Arbitrary<Record<string, string>> => {
  const each = fc
    .tuple(...names.map((name) => (fuzzed ? paramValue(poolFor(known, path, name)) : pick(poolFor(known, path, name)))))
    .map((values) => Object.fromEntries(names.map((name, i) => [name, values[i]!])));
  if (!path.startsWith('/api/patterns/:id/files/:file')) return each;
  const pairs = Object.entries(known.filesByPattern).flatMap(([id, files]) => files.map((file) => ({ id, file })));
  const paired = fc.tuple(pick(pairs), each).map(([pair, rest]) => ({ ...rest, ...pair }));
  return fuzzed ? weighted([2, paired], [1, each]) : paired;
};

// ---------------------------------------------------------------------------------------------
// Headers: Host, Origin, credentials and the rest
// ---------------------------------------------------------------------------------------------

type Header = [string, string];

/** Host names that must be refused (DNS rebinding) or that a broken client sends. */
const BAD_HOSTS = [
  'evil.example', 'evil.example:$PORT', '127.0.0.1.evil.example', 'localhost.evil.example', '', ' ', ':', ':$PORT',
  '127.0.0.1:', '127.0.0.1:99999', '127.0.0.1:$PORT:1', '[::1', '::1', '[::1]x', '[::ffff:127.0.0.1]:$PORT', '0.0.0.0',
  '127.1', '2130706433', 'localhost.', '%31%32%37.0.0.1', 'user@127.0.0.1:$PORT', '127.0.0.1:$PORT/', '127.0.0.1 :$PORT',
  'Ⅼocalhost', '$LONG9000',
];

/** Host: ours mostly (a request must get past the Host check to reach a handler). */
export const hostHeaders: fc.Arbitrary<Header[]> = weighted(
  [30, fc.constant<Header[]>([['Host', '127.0.0.1:$PORT']])],
  [4, pick(['localhost:$PORT', '[::1]:$PORT', 'LOCALHOST', '127.0.0.1']).map((h): Header[] => [['Host', h]])],
  [3, pick(BAD_HOSTS).map((h): Header[] => [['Host', h]])],
  [1, fc.string({ maxLength: 20 }).map((h): Header[] => [['Host', h]])],
  // None (HTTP/1.1 requires one), or two.
  [1, fc.constant<Header[]>([])],
  [1, fc.constant<Header[]>([['Host', '127.0.0.1:$PORT'], ['Host', 'evil.example']])],
);

/** Origins a cross-site page, an extension or a broken client sends. */
const BAD_ORIGINS = [
  'null', '', 'http://evil.example', 'http://evil.example:$PORT', 'https://127.0.0.1:$PORT', 'http://127.0.0.1:1',
  'http://127.0.0.1', 'http://127.0.0.1:$PORT/', 'http://127.0.0.1:$PORT/path', 'http://user:pw@127.0.0.1:$PORT',
  'http://127.0.0.1:0$PORT', 'ws://127.0.0.1:$PORT', 'file://', 'http://', 'http://[::1', 'http://%', '127.0.0.1:$PORT',
  'HTTP://LOCALHOST:$PORT', 'http://127.0.0.1:65536', 'http://127.0.0.1:$PORT.evil.example', 'chrome-extension://abc',
  'http://0x7f.0.0.1:$PORT', 'http://127.1:$PORT', 'http://127.0.0.1:$PORT, http://evil.example',
];

/** Origin: none (not a browser) or our own mostly; else every foreign or broken one. */
export const originHeaders: fc.Arbitrary<Header[]> = weighted(
  [20, fc.constant<Header[]>([])],
  [6, pick(['http://127.0.0.1:$PORT', 'http://localhost:$PORT', 'http://[::1]:$PORT']).map((o): Header[] => [['Origin', o]])],
  [3, pick(BAD_ORIGINS).map((o): Header[] => [['Origin', o]])],
  [1, fc.string({ maxLength: 30 }).map((o): Header[] => [['Origin', o]])],
  [1, fc.constant<Header[]>([['Origin', 'http://127.0.0.1:$PORT'], ['Origin', 'http://evil.example']])],
);

/**
 * A cookie value: the token, or what a hostile page on another port of 127.0.0.1 can set
 * (cookies ignore ports): malformed %-escapes that decodeURIComponent throws on, quotes,
 * the token with junk around it.
 */
const cookieValue: fc.Arbitrary<string> = weighted(
  [4, fc.constant('$TOKEN')],
  [4, pick(['%', '%%', '%E0%A4%A', '%ED%A0%80', '%24TOKEN', '"$TOKEN"', '', ' ', '$TOKEN%', '$TOKEN;', 'wrong', '$TOKEN$TOKEN', '%u0041'])],
  [2, fuzzSegment],
);

const cookiePart: fc.Arbitrary<string> = weighted(
  [4, cookieValue.map((v) => `workbench_token=${v}`)],
  [2, fc.tuple(fc.stringMatching(/^[a-z_]{1,10}$/), cookieValue).map(([n, v]) => `${n}=${v}`)],
  [1, pick(['=', '', 'workbench_token', '=$TOKEN', ' workbench_token = $TOKEN ', 'WORKBENCH_TOKEN=$TOKEN', 'workbench_token==$TOKEN', '$LONG9000=1'])],
);

/** A whole Cookie header: a few cookies, the way browsers and others join them. */
export const cookieHeader: fc.Arbitrary<string> = fc
  .tuple(fc.array(cookiePart, { minLength: 1, maxLength: 4 }), pick(['; ', ';', ' ;', ',']))
  .map(([parts, separator]) => parts.join(separator));

/** An Authorization header: the bearer token mostly, else every near miss. */
export const authorizationValue: fc.Arbitrary<string> = weighted(
  [6, fc.constant('Bearer $TOKEN')],
  [
    3,
    pick([
      'Bearer wrong', 'Bearer', 'Bearer ', 'Bearer  $TOKEN ', 'bearer $TOKEN', 'BEARER $TOKEN', 'Bearer\t$TOKEN', 'Bearer $TOKEN$TOKEN',
      'Bearer %', 'Basic Zm9vOmJhcg==', 'Token $TOKEN', '$TOKEN', '', 'Bearer $LONG20000', 'Bearer é😀',
    ]),
  ],
  [1, fc.string({ maxLength: 30 })],
);

/** Who the request says it is: mostly the right token (so handlers are reached), else each way of getting it wrong. */
export const credentialHeaders: fc.Arbitrary<Header[]> = weighted(
  [14, fc.constant<Header[]>([['Authorization', 'Bearer $TOKEN']])],
  [4, fc.constant<Header[]>([['Cookie', 'workbench_token=$TOKEN']])],
  [3, authorizationValue.map((v): Header[] => [['Authorization', v]])],
  [3, cookieHeader.map((c): Header[] => [['Cookie', c]])],
  [1, fc.constant<Header[]>([])],
  [2, fc.tuple(authorizationValue, cookieHeader).map(([a, c]): Header[] => [['Authorization', a], ['Cookie', c]])],
  // Two Cookie headers (node joins them with '; ') or two Authorization headers (node keeps the first).
  [1, fc.tuple(cookieHeader, cookieHeader).map(([a, b]): Header[] => [['Cookie', a], ['Cookie', b]])],
  [1, fc.tuple(authorizationValue, authorizationValue).map(([a, b]): Header[] => [['Authorization', a], ['Authorization', b]])],
);

/** Headers that change how express, send (static files) or body-parser behave. */
const EXTRA_NAMES = [
  'accept', 'accept-encoding', 'accept-language', 'range', 'if-range', 'if-none-match', 'if-match', 'if-modified-since',
  'if-unmodified-since', 'content-encoding', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'referer',
  'user-agent', 'sec-fetch-site', 'sec-fetch-mode', 'x-requested-with', 'content-language', 'via', 'te', 'max-forwards',
  'cache-control', 'pragma', 'x-http-method-override',
];
const EXTRA_VALUES = [
  'bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', 'bytes=99999999999999999999-', `bytes=${'0-1,'.repeat(50)}0-1`, 'items=0-1',
  'bytes=%', '*', 'W/"x"', '"x"', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'garbage', 'gzip, deflate, br',
  'identity;q=0', '*;q=0', 'br;q=1.5', 'gzip', 'deflate', 'br', 'identity', 'bogus', 'gzip, gzip', 'DELETE', 'PUT', '127.0.0.1',
  'for=evil;host=evil.example', 'trailers', '-1', '', '$LONG8000',
];
/** These frame the message; the suite keeps framing right so that "no answer" always means the server's fault. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'host']);

export const extraHeaders: fc.Arbitrary<Header[]> = fc.array(
  fc.tuple(
    weighted([4, pick(EXTRA_NAMES)], [1, fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((n) => !FRAMING.has(n))]),
    weighted([3, pick(EXTRA_VALUES)], [1, fc.string({ maxLength: 30 })]),
  ),
  { maxLength: 3 },
);

/** All the headers of a request but its framing, in order. */
const headerSet = (credentials: fc.Arbitrary<Header[]> = credentialHeaders): fc.Arbitrary<Header[]> =>
  fc.tuple(hostHeaders, originHeaders, credentials, extraHeaders).map((groups) => groups.flat());

/**
 * Headers that open the door (our Host, no Origin or ours, the token) with random others:
 * for properties about what lies behind the door, where the door's own variety would
 * otherwise stop most cases (the header storm and the upgrades fuzz the door itself).
 */
const openDoorHeaders: fc.Arbitrary<Header[]> = fc
  .tuple(
    pick<Header[]>([[['Host', '127.0.0.1:$PORT']], [['Host', 'localhost:$PORT']]]),
    weighted<Header[]>([3, fc.constant([])], [1, fc.constant([['Origin', 'http://127.0.0.1:$PORT']])]),
    weighted<Header[]>([3, fc.constant([['Authorization', 'Bearer $TOKEN']])], [1, fc.constant([['Cookie', 'theme=dark; workbench_token=$TOKEN']])]),
    extraHeaders,
  )
  .map((groups) => groups.flat());

/** The door open most of the time, anything now and then. */
const mostlyOpenHeaders: fc.Arbitrary<Header[]> = weighted([4, openDoorHeaders], [1, headerSet()]);

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'application/json; charset=UTF-16', 'application/json; charset=latin1', 'application/json; charset=bogus',
  'application/json; charset="utf-8"', 'application/json;', 'application/json; charset', 'application/json, text/plain', 'text/plain',
  'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.api+json', 'application/*',
  '*/*', '', 'application/json; charset=utf-8; charset=utf-16', 'APPLICATION/JSON',
];

/** Content-Type: JSON mostly (body-parser reads only that), else charsets and types it must refuse or skip. */
const contentTypeHeaders: fc.Arbitrary<Header[]> = weighted(
  [10, fc.constant<Header[]>([['Content-Type', 'application/json']])],
  [3, pick(CONTENT_TYPES).map((t): Header[] => [['Content-Type', t]])],
  [1, fc.constant<Header[]>([])],
  [1, fc.string({ maxLength: 30 }).map((t): Header[] => [['Content-Type', t]])],
);

/** JSON text that JSON.parse refuses, or that body-parser's strict mode refuses (not an object or array). */
const MALFORMED_JSON = [
  '{', '}', '{"a":', '{"content": "x"', 'nul', '[1,]', "{'a':1}", '{"a":1}{"b":2}', '\u0000', 'NaN', '\ufeff{}', '"str"', '1', 'null',
  'true', '{"a":1,}', '{"a" 1}', '[', '{"\\ud800":1}', '{"a":"\\x"}', '',
];

/** JSON fragments for values: what JSON.stringify never writes (1e400 parses to Infinity), and edge values. */
const RAW_JSON_VALUES = [
  '1e400', '-1e400', '1e-400', '-0', '0.1e1', '123456789012345678901234567890', '"\\ud800"', '"\\u0000"', '"$LONG70000"', '"$TOKEN"',
  '4294967296', '-1', '0', '1.5', '2', '""', '" "', '"__proto__"', '[]', '{}', 'null', 'true', 'false',
];

/** Field names the API's schemas read, plus prototype names: bodies shaped enough to reach deep into zod. */
const BODY_FIELDS = [
  'content', 'version', 'patternId', 'lab', 'code', 'enabled', 'errorRate', 'error', 'kind', 'status', 'latency', 'failFirst',
  'schedule', 'seed', 'model', 'rate', 'concurrency', 'thinkTimeMs', 'durationMs', 'amount', 'clients', 'stages', 'format',
  'progress', 'drafts', 'exerciseId', 'exportedAt', '__proto__', 'constructor', 'toString',
];

const jsonValueText: fc.Arbitrary<string> = weighted(
  [3, pick(RAW_JSON_VALUES)],
  [2, fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))],
);

/**
 * An object written as text, so it can repeat a key (`{"a":1,"a":2}`), hold `__proto__` as
 * an own key, and carry values JSON.stringify cannot write.
 */
const shapedObjectText = (fields: string[]): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(pick(fields), jsonValueText), { maxLength: 5 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

export interface BodyPart {
  headers: Header[];
  body?: string;
  gzip?: boolean;
}

/**
 * A request body. `valid` is a body the route accepts; `validWeight` how often to send it
 * (low for routes whose valid call is slow: starting a run, checking an exercise, compiling).
 */
const bodyPart = (fields: string[], valid: fc.Arbitrary<unknown> | undefined, validWeight: number, withBody: number): fc.Arbitrary<BodyPart> => {
  const text = weighted<string>(
    ...(valid ? ([[validWeight, valid.map((v) => JSON.stringify(v))]] as Array<[number, fc.Arbitrary<string>]>) : []),
    [3, shapedObjectText(fields)],
    [2, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))],
    [2, pick(MALFORMED_JSON)],
    // Deep nesting: JSON.parse and whatever walks the result must not overflow the stack.
    [1, fc.integer({ min: 1_000, max: 200_000 }).map((n) => `$DEEP${n}`)],
    // Around and over the body limit (1 MB unless a route says otherwise).
    [1, pick([500_000, 1_100_000, 3_000_000]).map((n) => `$BIG${n}`)],
    [1, fc.string({ maxLength: 40 })],
  );
  return weighted(
    // No body: usually no Content-Type either, now and then one anyway.
    [10 - withBody, fc.record({ headers: weighted([3, fc.constant<Header[]>([])], [1, contentTypeHeaders]) })],
    [
      withBody,
      fc.record({
        headers: contentTypeHeaders,
        body: text,
        // Gzipped now and then: body-parser inflates it, and a gzipped $BIG is a small bomb.
        gzip: weighted([9, fc.constant(false)], [1, fc.constant(true)]),
      }),
    ],
  );
};

/** Code a learner may send: nothing, junk, a syntax error, a loop, an escape attempt, or code that runs. */
const codeText = (known: Known): fc.Arbitrary<string> =>
  weighted(
    [3, fc.string({ maxLength: 200 })],
    [
      2,
      pick([
        '', 'export {}', 'syntax error {{{', 'throw new Error("boom")', 'export const x: number = "s";', 'while (true) {}',
        'import fs from "node:fs"; fs.readFileSync("/etc/passwd")', 'process.exit(1)', 'await new Promise(() => {})',
      ]),
    ],
    [2, fc.constant(known.starter)],
    [1, fc.constant('$LONG600000')],
  );

// In range nine times in ten: a fault spec has several of these, and one bad value refuses it all.
const share = weighted([9, fc.double({ min: 0, max: 1, noNaN: true })], [1, pick([-0.1, 1.1, 2, 1e308])]);
const millis = weighted([9, fc.integer({ min: 0, max: 5_000 })], [1, pick([-1, 3_600_001, 1e300, 0.5])]);

/** A fault spec for PUT /api/runs/:id/faults/:point: any subset of its fields, mostly in range. */
const faultSpec = fc.record(
  {
    enabled: fc.boolean(),
    errorRate: share,
    error: fc.oneof(
      fc.record({ kind: fc.constant('status'), status: fc.integer({ min: 390, max: 610 }), retryAfterSeconds: fc.double({ min: 0, max: 4000, noNaN: true }) }, { noNullPrototype: true, requiredKeys: ['kind', 'status'] }),
      pick([{ kind: 'reset' }, { kind: 'hang' }, { kind: 'down' }, { kind: 'busy' }, { kind: 'locked' }, { kind: 'bogus' }, {}]),
      fc.record({ kind: fc.constant('exception'), message: fc.string({ maxLength: 600 }) }, { noNullPrototype: true, requiredKeys: ['kind'] }),
    ),
    latency: fc.record({ baseMs: millis, jitterMs: millis, rate: share }, { noNullPrototype: true, requiredKeys: [] }),
    failFirst: weighted([9, fc.integer({ min: 0, max: 100 })], [1, pick([-1, 1_000_001, 1.5])]),
    schedule: fc.array(
      fc.record({ startMs: millis, durationMs: millis, errorRate: share, repeatEveryMs: millis }, { noNullPrototype: true, requiredKeys: ['startMs', 'durationMs'] }),
      { maxLength: 3 },
    ),
    seed: weighted([9, fc.nat()], [1, pick([-1, 2 ** 32, 1.5])]),
  },
  { noNullPrototype: true, requiredKeys: [] },
);

/**
 * A load profile for PUT /api/runs/:id/load. The valid ones are light and end by themselves:
 * the machine running the suite has two cores and others use them.
 */
const loadProfile = weighted<unknown>(
  [3, fc.constant({ model: 'none' })],
  [
    3,
    fc.record(
      {
        model: fc.constant('open'),
        rate: fc.integer({ min: 0, max: 30 }),
        durationMs: fc.integer({ min: 1, max: 2_000 }),
        stages: fc.array(fc.record({ durationMs: fc.integer({ min: 1, max: 1_000 }), target: fc.integer({ min: 0, max: 30 }) }), { maxLength: 3 }),
      },
      { noNullPrototype: true, requiredKeys: ['model', 'rate', 'durationMs'] },
    ),
  ],
  [
    2,
    fc.record(
      { model: fc.constant('closed'), concurrency: fc.integer({ min: 1, max: 2 }), thinkTimeMs: fc.integer({ min: 50, max: 500 }), durationMs: fc.integer({ min: 1, max: 2_000 }) },
      { noNullPrototype: true, requiredKeys: ['model', 'concurrency', 'thinkTimeMs', 'durationMs'] },
    ),
  ],
  [
    2,
    pick<unknown>([
      { model: 'open', rate: 1e9 }, { model: 'open', rate: -1 }, { model: 'closed', concurrency: 0 }, { model: 'closed', concurrency: 1.5 },
      { model: 'x' }, { model: 'open' }, { model: 'none', rate: 1 }, { model: 'open', rate: 10, amount: 0 }, { model: 'open', rate: 1, durationMs: 1e300 },
    ]),
  ],
);

/** Values for one declared lab parameter: in range mostly, else just outside it or of the wrong type. */
const paramSpecValue = (spec: ParamSpec): fc.Arbitrary<unknown> => {
  switch (spec.type) {
    case 'number':
      return weighted<unknown>([4, fc.double({ min: spec.min, max: spec.max, noNaN: true })], [1, pick<unknown>([spec.min - 1, spec.max + 1, '5', null])]);
    case 'integer':
      return weighted<unknown>([4, fc.integer({ min: spec.min, max: spec.max })], [1, pick<unknown>([spec.min - 1, spec.max + 1, spec.min + 0.5, '5', null])]);
    case 'enum':
      return pick<unknown>([...spec.options.map((o) => o.value), 'bogus', 1]);
    case 'boolean':
      return pick<unknown>([true, false, 'true', 0]);
    case 'text':
      return weighted<unknown>([4, fc.string({ maxLength: Math.min(spec.maxLength, 200) })], [1, pick<unknown>(['x'.repeat(spec.maxLength + 1), 5, null])]);
  }
};

/** An exported progress file for POST /api/progress: real and unknown exercises, repeats, odd numbers. */
const progressImport = (known: Known) => {
  const exerciseId = weighted([6, pick(known.exerciseIds)], [1, pick(['unknown', '', '__proto__'])]);
  return fc.record(
    {
      format: weighted<unknown>([8, fc.constant('patterns-workbench-progress')], [1, pick<unknown>(['other', 1])]),
      version: weighted<unknown>([8, fc.constant(1)], [1, pick<unknown>([2, '1'])]),
      exportedAt: fc.string({ maxLength: 30 }),
      progress: fc.array(
        fc.record({
          exerciseId,
          status: pick(['started', 'solved', 'new']),
          tasksPassed: fc.array(weighted([6, fc.integer({ min: 1, max: 5 })], [1, pick([0, -1, 1.5, 2 ** 53])]), { maxLength: 6 }),
          attempts: weighted([6, fc.nat({ max: 100 })], [1, pick([-1, 1e300, 2 ** 63])]),
          solvedAt: fc.option(weighted([6, fc.nat()], [1, pick([-1, 1e300, 0.5])]), { nil: null }),
          solutionViewed: fc.boolean(),
          updatedAt: weighted([6, fc.nat()], [1, pick([-1, 1e300, 0.5])]),
        }),
        { maxLength: 4 },
      ),
      drafts: fc.array(fc.record({ exerciseId, code: codeText(known), updatedAt: weighted([6, fc.nat()], [1, pick([-1, 1e300])]) }), { maxLength: 3 }),
    },
    { noNullPrototype: true, requiredKeys: ['format', 'version', 'exportedAt', 'progress', 'drafts'] },
  );
};

/** Bodies each route accepts, keyed `method path` as the route tables declare them. A route not listed gets only invalid bodies. */
const validBodies = (known: Known): Record<string, fc.Arbitrary<unknown>> => ({
  'put /api/patterns/:id/files/:file': fc.record({ content: codeText(known) }),
  'post /api/patterns/:id/files/:file/restore': fc.record({ version: weighted<unknown>([4, fc.integer({ min: 1, max: 5 })], [1, pick<unknown>([0, -1, 1.5, '1', 1e300])]) }),
  'post /api/runs': fc.record(
    { patternId: weighted([6, pick(known.patternIds)], [1, pick(['nope', ''])]), lab: weighted([4, pick(known.labIds)], [1, pick(['nope', ''])]) },
    { noNullPrototype: true, requiredKeys: ['patternId'] },
  ),
  'put /api/runs/:id/faults/:point': faultSpec,
  'put /api/runs/:id/load': loadProfile,
  'put /api/runs/:id/params': fc.record(Object.fromEntries(known.params.map((spec) => [spec.id, paramSpecValue(spec)])), { noNullPrototype: true, requiredKeys: [] }),
  'post /api/exercises/:id/check': fc.record({ code: codeText(known) }),
  'put /api/exercises/:id/draft': fc.record({ code: codeText(known) }),
  'post /api/progress': progressImport(known),
});

/**
 * Routes whose valid call is slow: it starts a run, a worker per exercise check, or a compile
 * and a trial load. Their valid bodies and well-formed requests come rarely.
 */
const SLOW_ROUTES = new Set([
  'post /api/runs',
  'post /api/exercises/:id/check',
  'put /api/patterns/:id/files/:file',
  'post /api/patterns/:id/files/:file/restore',
  'post /api/patterns/:id/files/:file/reset',
]);

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const STANDARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
/** Methods node's parser knows but the app does not route, and one it does not know (a 400 from node). */
const ODD_METHODS = ['TRACE', 'PROPFIND', 'M-SEARCH', 'QUERY', 'PURGE', 'LINK', 'get', 'FOO'];

const method = (usual: string): fc.Arbitrary<string> =>
  weighted([8, fc.constant(usual)], [2, pick(STANDARD_METHODS)], [1, pick(ODD_METHODS)]);

/**
 * A request to one route of the API. Either fuzzed (its method mostly, then parameters,
 * query, headers and body each a real value or trouble) or well-formed (what the web app
 * sends, with only the values in the body left to chance): the well-formed ones reach the
 * handlers' own logic, which trouble in every part at once would seldom let through.
 */
const routeRequest = (route: RouteShape, known: Known, valid: fc.Arbitrary<unknown> | undefined): fc.Arbitrary<WireRequest> => {
  const key = `${route.method} ${route.path}`;
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const readsBody = route.method === 'post' || route.method === 'put';
  const slow = SLOW_ROUTES.has(key);
  const fuzzed = fc.record({
    method: method(route.method.toUpperCase()),
    params: routeParams(known, route.path, names, true),
    query: queryString(known),
    headers: mostlyOpenHeaders,
    body: bodyPart(BODY_FIELDS.concat(known.params.map((p) => p.id)), valid, slow ? 1 : 5, readsBody ? 8 : 2),
  });
  const wellFormed = fc.record({
    method: fc.constant(route.method.toUpperCase()),
    params: routeParams(known, route.path, names, false),
    query: fc.constant(''),
    headers: openDoorHeaders,
    body:
      valid && readsBody
        ? valid.map((v): BodyPart => ({ headers: [['Content-Type', 'application/json']], body: JSON.stringify(v) }))
        : fc.constant<BodyPart>({ headers: [] }),
  });
  return weighted([slow ? 1 : 2, wellFormed], [slow ? 8 : 4, fuzzed]).map(({ method, params, query, headers, body }) => {
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => params[name]!);
    return { method, target: path + query, headers: [...headers, ...body.headers], body: body.body, gzip: body.gzip };
  });
};

export interface ApiCase {
  /** The route, as the table declares it (`put /api/runs/:id/load`). */
  route: string;
  request: WireRequest;
}

/** A request to any route of the API tables (one `oneof` branch per route, equally likely). */
export const apiRequest = (routes: RouteShape[], known: Known): fc.Arbitrary<ApiCase> => {
  const bodies = validBodies(known);
  return fc.oneof(
    ...routes.map((route) => {
      const key = `${route.method} ${route.path}`;
      return routeRequest(route, known, bodies[key]).map((request) => ({ route: key, request }));
    }),
  );
};

/** Paths that try to leave the web build's folder. */
const TRAVERSALS = [
  '/../package.json', '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json',
  '/..%5c..%5cpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/.git/config', '/web/../package.json', '/assets/%252e%252e/package.json',
  '/....//....//package.json', '/index.html/..', '/index.html%00.js', '/assets/%00', '/assets/', '/assets', '/.build-stamp', '/.%2e/package.json',
  '/assets/..%2f..%2f..%2fserver%2fapp.ts', '/%2e%2e%2f%2e%2e%2fpackage.json',
];

/** `?token=` values: the right one (sets the cookie), near misses, and malformed ones. */
const tokenQueryValue: fc.Arbitrary<string> = weighted(
  [3, fc.constant('$TOKEN')],
  [3, pick(['', '%', '%%', '$TOKEN%', '%24TOKEN', '$TOKEN&token=$TOKEN', 'wrong', '$TOKEN%00', '$LONG20000', '$TOKEN#', '%C3%A9%F0%9F%98%80', '$TOKEN+'])],
  [2, fuzzSegment],
);

/** A request for a page or a static file (anything outside /api). */
export const pageRequest = (known: Known): fc.Arbitrary<WireRequest> =>
  fc
    .record({
      method: method('GET'),
      path: weighted(
        [3, fc.constant('/')],
        [3, tokenQueryValue.map((v) => `/?token=${v}`)],
        [2, pick(['/index.html', ...known.assets])],
        [2, pick(TRAVERSALS)],
        [4, fc.array(fuzzSegment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`)],
        [2, fc.tuple(pick(['/assets/', '/']), fuzzSegment).map(([a, b]) => a + b)],
        [1, pick(['//', '///', '/.', '/..', '*', '', 'http://127.0.0.1:$PORT/', 'http://evil.example/', '/?', '/#', '/$LONG20000', '/\\..\\package.json'])],
      ),
      query: weighted([3, fc.constant('')], [1, queryString(known)]),
      headers: headerSet(weighted([3, fc.constant<Header[]>([])], [2, credentialHeaders])),
      body: bodyPart(BODY_FIELDS, undefined, 0, 1),
    })
    .map(({ method, path, query, headers, body }) => ({
      method,
      target: path + query,
      headers: [...headers, ...body.headers],
      body: body.body,
      gzip: body.gzip,
    }));

// ---------------------------------------------------------------------------------------------
// WebSocket upgrades
// ---------------------------------------------------------------------------------------------

/** A WebSocket frame as a client may or may not write it (RFC 6455 § 5.2); `declaredLength` may lie. */
export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
  declaredLength?: number;
}

/** What the client does once the server said 101: frames, raw junk, or nothing. */
export type AfterUpgrade = { frames: Frame[] } | { junk: Uint8Array } | { nothing: true };

const frame: fc.Arbitrary<Frame> = fc.record(
  {
    fin: weighted([4, fc.constant(true)], [1, fc.constant(false)]),
    rsv: weighted([8, fc.constant(0)], [1, fc.integer({ min: 1, max: 7 })]),
    // Text, binary, close, ping, pong, continuation mostly; reserved opcodes now and then.
    opcode: weighted([6, pick([1, 2, 8, 9, 10, 0])], [1, fc.integer({ min: 3, max: 15 })]),
    // Clients must mask; an unmasked frame is a protocol error.
    masked: weighted([8, fc.constant(true)], [1, fc.constant(false)]),
    payload: fc.uint8Array({ maxLength: 200 }),
    // A length header bigger than the payload (or than the server's 64 KB limit, or than 2^53).
    declaredLength: pick([126, 127, 70_000, 2 ** 53, 2 ** 63]),
  },
  { noNullPrototype: true, requiredKeys: ['fin', 'rsv', 'opcode', 'masked', 'payload'] },
);

export const afterUpgrade: fc.Arbitrary<AfterUpgrade> = weighted<AfterUpgrade>(
  [3, fc.record({ frames: fc.array(frame, { minLength: 1, maxLength: 4 }) })],
  [1, fc.record({ junk: fc.uint8Array({ minLength: 1, maxLength: 300 }) })],
  [1, fc.constant({ nothing: true as const })],
);

/** The bytes of a frame, masked with a fixed key when `masked`. */
export const encodeFrame = (f: Frame): Buffer => {
  const length = f.declaredLength ?? f.payload.length;
  const first = (f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f);
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, (f.masked ? 0x80 : 0) | length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(length, 2);
    header[1] = (f.masked ? 0x80 : 0) | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(length), 2);
    header[1] = (f.masked ? 0x80 : 0) | 127;
  }
  header[0] = first;
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const payload = Buffer.from(f.payload);
  if (f.masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
  return Buffer.concat([header, f.masked ? key : Buffer.alloc(0), payload]);
};

export const encodeAfterUpgrade = (after: AfterUpgrade): Buffer =>
  'frames' in after ? Buffer.concat(after.frames.map(encodeFrame)) : 'junk' in after ? Buffer.from(after.junk) : Buffer.alloc(0);

/** Request targets for an upgrade: the live stream of a live run mostly, else every way a target can be odd. */
const upgradeTarget: fc.Arbitrary<string> = weighted(
  [8, fc.constant('/api/live?run=$RUN')],
  [
    4,
    pick([
      '/api/live?run=$ENDED_RUN', '/api/live', '/api/live?run=', '/api/live?run=%', '/api/live?run=%E0%A4%A', '/api/live?run=$RUN&run=x',
      '/api/live?run=x&run=$RUN', '/api/live?run[]=$RUN', '/API/LIVE?run=$RUN', '/api/live/?run=$RUN', '/api//live?run=$RUN',
      '/api/live%3Frun=$RUN', '/api/%6cive?run=$RUN', '/api/live?run=$RUN#x', '/api/live?run=$LONG20000',
      'http://127.0.0.1:$PORT/api/live?run=$RUN', '//127.0.0.1:$PORT/api/live?run=$RUN', '//', '/%', '*', '', 'http://x/', 'http://[::1',
      '/', '/?token=$TOKEN', '/api/patterns', '/api/live?run=$RUN&token=$TOKEN',
    ]),
  ],
  [2, fuzzSegment.map((s) => `/api/live?run=${s}`)],
  [2, fc.array(fuzzSegment, { maxLength: 3 }).map((s) => `/${s.join('/')}`)],
  [1, fc.string({ unit: 'binary', maxLength: 20 })],
);

/** The handshake's own headers: right mostly (so the upgrade can succeed), else each one wrong or missing. */
const handshakeHeaders: fc.Arbitrary<Header[]> = fc
  .record({
    upgrade: weighted<string[]>([10, fc.constant(['websocket'])], [2, pick([['WebSocket'], ['websocket, h2c'], ['h2c'], [''], ['websocket', 'websocket']])], [1, fc.constant([])]),
    connection: weighted([10, fc.constant('Upgrade')], [2, pick(['keep-alive, Upgrade', 'upgrade', 'close', 'Upgrade, close'])]),
    key: weighted<string | undefined>(
      [10, fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64'))],
      [2, pick(['', 'x', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ===', '$LONG9000', '!!!!!!!!!!!!!!!!!!!!!!=='])],
      [1, fc.constant(undefined)],
    ),
    version: weighted<string | undefined>([10, fc.constant('13')], [2, pick(['8', '12', '14', '', 'abc', '13, 8', '013', '-13'])], [1, fc.constant(undefined)]),
    extensions: fc.array(
      fc.tuple(
        pick(['Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions']),
        pick(['chat', 'a, a', ',', 'permessage-deflate', 'permessage-deflate; client_max_window_bits=7', 'permessage-deflate; server_no_context_takeover=1', '']),
      ),
      { maxLength: 2 },
    ),
  })
  .map(({ upgrade, connection, key, version, extensions }): Header[] => [
    ...upgrade.map((u): Header => ['Upgrade', u]),
    ['Connection', connection],
    ...(key === undefined ? [] : [['Sec-WebSocket-Key', key] as Header]),
    ...(version === undefined ? [] : [['Sec-WebSocket-Version', version] as Header]),
    ...extensions,
  ]);

export interface UpgradeCase {
  request: WireRequest;
  after: AfterUpgrade;
}

/** A WebSocket upgrade written by hand: target, handshake, Host/Origin/credentials, and what follows a 101. */
export const upgradeRequest: fc.Arbitrary<UpgradeCase> = fc
  .record({
    method: weighted([10, fc.constant('GET')], [1, pick(['POST', 'HEAD', 'PUT', 'OPTIONS'])]),
    target: upgradeTarget,
    handshake: handshakeHeaders,
    headers: headerSet(),
    after: afterUpgrade,
  })
  .map(({ method, target, handshake, headers, after }) => ({ request: { method, target, headers: [...headers, ...handshake] }, after }));

/** Any one header, of any kind: for a storm of headers over a few fixed requests. */
const anyHeader: fc.Arbitrary<Header[]> = weighted(
  [2, hostHeaders],
  [2, originHeaders],
  [3, cookieHeader.map((c): Header[] => [['Cookie', c]])],
  [2, authorizationValue.map((a): Header[] => [['Authorization', a]])],
  [1, extraHeaders],
);

/** Fixed requests that stand for each door: the API, the page, the cookie-setting URL, the live stream. */
const STORM_TARGETS = [
  { method: 'GET', target: '/api/patterns', upgrade: false },
  { method: 'GET', target: '/api/runs/$RUN/events?limit=1', upgrade: false },
  { method: 'GET', target: '/', upgrade: false },
  { method: 'GET', target: '/?token=$TOKEN', upgrade: false },
  { method: 'GET', target: '/api/live?run=$RUN', upgrade: true },
];

export interface StormCase {
  request: WireRequest;
  upgrade: boolean;
}

/** A few fixed requests, each with 0–8 headers of any kind (repeats and contradictions included). */
export const headerStormRequest: fc.Arbitrary<StormCase> = fc
  .record({
    door: pick(STORM_TARGETS),
    headers: fc.array(anyHeader, { maxLength: 8 }).map((groups) => groups.flat()),
    key: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')),
  })
  .map(({ door, headers, key }) => ({
    upgrade: door.upgrade,
    request: {
      method: door.method,
      target: door.target,
      headers: door.upgrade
        ? [
            ...headers,
            ['Upgrade', 'websocket'] as Header,
            ['Connection', 'Upgrade'] as Header,
            ['Sec-WebSocket-Key', key] as Header,
            ['Sec-WebSocket-Version', '13'] as Header,
          ]
        : headers,
    },
  }));
