/**
 * The boundary of a tool that executes code sent to it. Four checks, in
 * this order, on every request and WebSocket upgrade:
 *  1. Host must be a loopback name — defeats DNS rebinding, where a hostile
 *     page's domain is re-pointed at 127.0.0.1.
 *  2. Origin, when the browser sends one, must be the workbench's own —
 *     defeats cross-site requests and cross-site WebSocket hijacking.
 *  3. Sec-Fetch-Site, when the browser sends it, must be same-origin (or none):
 *     catches the no-cors requests of another port of this host, which carry no Origin.
 *  4. The per-launch token, as `Authorization: Bearer …` or the cookie set
 *     when the printed URL is opened (like Jupyter).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'workbench_token';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type AuthVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Splits `host[:port]` (IPv6 in brackets) into its parts. */
export const parseHostHeader = (host: string): { name: string; port?: number } | undefined => {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
};

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Every value of the cookie `name` in a Cookie header, decoded. A value that does not
 * decode (`workbench_token=%`) is skipped: it is simply no token, never an error.
 * All copies count because a page on another port of this host can set a cookie of
 * the same name (cookies ignore ports); taking only the first would let it lock the
 * learner out by shadowing the real one.
 */
export const readCookies = (header: string | undefined, name: string): string[] => {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index <= 0 || part.slice(0, index).trim() !== name) continue;
    try {
      values.push(decodeURIComponent(part.slice(index + 1).trim()));
    } catch {
      // A malformed %-escape: not a token.
    }
  }
  return values;
};

/** The tokens a request presents: the bearer header, else every copy of the cookie. */
export const presentedTokens = (request: Pick<IncomingMessage, 'headers'>): string[] => {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
    return [authorization.slice('Bearer '.length).trim()];
  }
  const cookie = request.headers.cookie;
  return readCookies(typeof cookie === 'string' ? cookie : undefined, TOKEN_COOKIE);
};

export interface Guard {
  /** Host and Origin checks: for every request, including static files. */
  checkOrigin(request: Pick<IncomingMessage, 'headers'>): AuthVerdict;
  /** Host, Origin and token: for the API and the WebSocket. */
  checkApi(request: Pick<IncomingMessage, 'headers'>): AuthVerdict;
  /** Whether a token from a URL is the right one (to set the cookie). */
  isToken(candidate: string): boolean;
}

export const createGuard = (options: { token: string; port: () => number }): Guard => {
  const checkOrigin = (request: Pick<IncomingMessage, 'headers'>): AuthVerdict => {
    const host = typeof request.headers.host === 'string' ? parseHostHeader(request.headers.host) : undefined;
    if (!host || !LOOPBACK_HOSTS.has(host.name)) {
      return { ok: false, status: 403, message: 'Host must be a loopback name (127.0.0.1, localhost or [::1])' };
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (typeof origin !== 'string') return { ok: false, status: 403, message: 'Origin: expected one value' };
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        url = undefined;
      }
      const port = url && (url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port));
      const originHost = url?.hostname.toLowerCase();
      const ours =
        url !== undefined &&
        url.protocol === 'http:' &&
        originHost !== undefined &&
        (LOOPBACK_HOSTS.has(originHost) || originHost === '[::1]') &&
        port === options.port();
      if (!ours) return { ok: false, status: 403, message: `Origin ${origin} is not this workbench` };
    }
    return { ok: true };
  };

  return {
    checkOrigin,
    checkApi(request) {
      const verdict = checkOrigin(request);
      if (!verdict.ok) return verdict;
      // A no-cors request from a page on another port of this host sends no Origin but does
      // send the SameSite cookie (ports do not make a site); browsers label it with
      // Sec-Fetch-Site. Only our own pages (same-origin) and the learner typing (none) get in.
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        return { ok: false, status: 403, message: `Sec-Fetch-Site ${String(site)}: the API answers only the workbench's own pages` };
      }
      const tokens = presentedTokens(request);
      if (tokens.length === 0) return { ok: false, status: 401, message: 'missing token: open the URL the workbench printed' };
      if (!tokens.some((token) => sameToken(token, options.token))) return { ok: false, status: 401, message: 'wrong token' };
      return { ok: true };
    },
    isToken: (candidate) => sameToken(candidate, options.token),
  };
};
