/**
 * The answers the fault layer makes up itself, shared by the simulated service
 * and the real one so both look the same to the caller.
 */
import { STATUS_CODES } from 'node:http';
import type { FaultError } from '../../patterns/kit/faults.ts';
import type { HttpResponse } from '../../patterns/kit/http.ts';

/** The HTTP status an injected error answers with, or undefined when it is not an answer at all. */
export const injectedStatus = (error: FaultError): number | undefined => {
  if (error.kind === 'status') return error.status;
  // An exception inside an HTTP service is what a 500 is; so is its database failing (busy, locked).
  if (error.kind === 'exception' || error.kind === 'busy' || error.kind === 'locked') return 500;
  return undefined;
};

/** The response for an injected status (`retry-after` set when the spec asks for it). */
export const injectedResponse = (error: FaultError): HttpResponse => {
  const status = injectedStatus(error) ?? 500;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error.kind === 'status' && error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(error.retryAfterSeconds);
  }
  const message = error.kind === 'exception' && error.message ? error.message : (STATUS_CODES[status] ?? 'Error');
  return { status, headers, body: { error: message, injected: true } };
};

/** What a service whose handler threw answers: a 500 naming the error, as a web framework would. */
export const crashResponse = (error: unknown): HttpResponse => ({
  status: 500,
  headers: { 'content-type': 'application/json' },
  body: { error: error instanceof Error ? error.message : String(error) },
});

/** Header names in lower case, as Node hands them to a server. */
export const lowerCaseHeaders = (headers: Record<string, string> | undefined): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
};
