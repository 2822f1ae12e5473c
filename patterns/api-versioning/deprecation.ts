/**
 * Telling clients that a version is going away, in the headers every one of
 * its responses carries, so that a client's own tooling (a log line, a
 * metric, a failing check in CI) notices long before the version stops
 * answering:
 *
 *   Deprecation: @1767225600                                  RFC 9745: since when (or from when) it is deprecated
 *   Sunset: Wed, 01 Jul 2026 00:00:00 GMT                     RFC 8594: when it stops answering
 *   Link: <https://…/migrate>; rel="deprecation"; type="text/html", <https://…/migrate>; rel="sunset"; type="text/html"
 *
 * The two dates are in different formats on purpose (each RFC picked its
 * own): Deprecation is a Structured Field Date (RFC 9651), `@` and whole
 * seconds since the epoch; Sunset is an HTTP-date (RFC 9110), the
 * `Expires` format. After the sunset the version answers 410 Gone.
 */

/** A version's deprecation, as announced. Times are wall-clock epoch ms. */
export interface Lifecycle {
  /** Deprecated since (or, in the future, from) this time. */
  deprecatedAt: number;
  /** When the version stops answering, if decided. Never before `deprecatedAt`. */
  sunsetAt?: number;
  /** The migration notes: what changed and how to move to a newer version. */
  link: string;
}

/** RFC 9745 `Deprecation`: a Structured Field Date, `@` and whole seconds since the epoch. */
export const formatDeprecation = (at: number): string => `@${Math.floor(at / 1_000)}`;

/** An HTTP-date (RFC 9110 IMF-fixdate), as RFC 8594 `Sunset` wants it: `Wed, 01 Jul 2026 00:00:00 GMT`. */
export const formatHttpDate = (at: number): string => new Date(at).toUTCString();

/** Refuses a lifecycle no client could act on: a sunset before the deprecation, or no migration notes. */
export const checkLifecycle = (version: string, lifecycle: Lifecycle): void => {
  if (lifecycle.sunsetAt !== undefined && lifecycle.sunsetAt < lifecycle.deprecatedAt) {
    throw new RangeError(
      `version ${version}: the sunset (${formatHttpDate(lifecycle.sunsetAt)}) is before the deprecation (${formatHttpDate(lifecycle.deprecatedAt)})`,
    );
  }
  if (!/^https?:\/\//.test(lifecycle.link)) throw new RangeError(`version ${version}: the link to the migration notes must be an http(s) URL, got ${JSON.stringify(lifecycle.link)}`);
};

/**
 * The headers of every response of a version with this lifecycle. They are
 * sent from the moment the deprecation is announced, even while its date is
 * in the future (RFC 9745 allows it, and a client needs the warning most
 * before the date). A version with no lifecycle gets none.
 */
export const lifecycleHeaders = (lifecycle: Lifecycle | undefined): Record<string, string> => {
  if (lifecycle === undefined) return {};
  const links = [`<${lifecycle.link}>; rel="deprecation"; type="text/html"`];
  const headers: Record<string, string> = { deprecation: formatDeprecation(lifecycle.deprecatedAt) };
  if (lifecycle.sunsetAt !== undefined) {
    headers.sunset = formatHttpDate(lifecycle.sunsetAt);
    links.push(`<${lifecycle.link}>; rel="sunset"; type="text/html"`);
  }
  headers.link = links.join(', ');
  return headers;
};

/** True once the version's sunset has come: from then on it answers 410 Gone. */
export const isGone = (lifecycle: Lifecycle | undefined, now: number): boolean =>
  lifecycle?.sunsetAt !== undefined && now >= lifecycle.sunsetAt;
