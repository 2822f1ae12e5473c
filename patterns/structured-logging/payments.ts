/**
 * The payments service the checkout calls: another service (in production
 * another process, deployed by another team) with a logger of its own. No
 * context crosses the network but the headers, so for each call it binds the
 * caller's `x-request-id` to a logger of its own, `log.bind({ requestId })`,
 * and every line it writes names the request that caused it. A service whose
 * caller sent no id logs without one: the request cannot be followed past it.
 */
import type { HttpResponse, Random, ServiceDefinition } from '../kit/index.ts';
import { newId, REQUEST_ID_HEADER } from './checkout.ts';
import type { Logger } from './logger.ts';

export interface PaymentsOptions {
  logger: Logger;
  /** Draws charge ids. */
  random: Random;
}

export const paymentsApi = (options: PaymentsOptions): ServiceDefinition => ({
  handle(request): HttpResponse {
    const requestId = request.headers[REQUEST_ID_HEADER];
    const log = requestId === undefined ? options.logger : options.logger.bind({ requestId });
    const { userId, amountCents, receiptEmail } = (request.body ?? {}) as { userId?: string; amountCents?: number; receiptEmail?: string };
    if (typeof amountCents !== 'number' || amountCents <= 0) {
      log.warn('charge refused', { userId, reason: 'no amount' });
      return { status: 422, headers: {}, body: { error: 'amountCents must be a positive number' } };
    }
    log.debug('charge requested', { userId, amountCents });
    const chargeId = `ch_${newId(options.random)}`;
    // `receiptEmail` is a name no key list had thought of: only the email pattern keeps the address out.
    log.info('charge accepted', { chargeId, userId, amountCents, receiptEmail });
    return { status: 201, headers: { 'content-type': 'application/json' }, body: { chargeId } };
  },
});
