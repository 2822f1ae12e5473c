/** One error type for every API failure, and one way to turn anything thrown into a response. */
import { z } from 'zod';
import { DatabaseBusyError } from '../store/errors.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);

/** A zod error as a message that names each bad field, e.g. `errorRate: Too big: expected number to be <=1`. */
export const describeZodError = (error: z.ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');

/** Parses `input` with `schema`, or throws a 400 naming the fields. */
export const parseOr400 = <S extends z.ZodType>(schema: S, input: unknown): z.output<S> => {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new HttpError(400, describeZodError(result.error), { issues: result.error.issues });
  }
  return result.data;
};

export interface ErrorBody {
  error: { status: number; message: string } & Record<string, unknown>;
}

/** Every error response has this shape; anything unexpected is a 500 with no internals leaked. */
export const errorResponse = (error: unknown): { status: number; body: ErrorBody } => {
  if (error instanceof HttpError) {
    return { status: error.status, body: { error: { status: error.status, message: error.message, ...error.details } } };
  }
  // Another program holds a lock on the database: not the workbench's fault, and worth a retry.
  if (error instanceof DatabaseBusyError) {
    return { status: 503, body: { error: { status: 503, message: error.message } } };
  }
  return { status: 500, body: { error: { status: 500, message: 'internal error; see the workbench log' } } };
};
