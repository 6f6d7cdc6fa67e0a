import { request } from 'undici';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { JournalItem } from '../../core/journal/types.js';
import { parseRetryAfter } from '../../core/retry-policy.js';
import { signCaraloom, signStandard } from '../../core/signature.js';
import type { DeliveryOutcome } from '../../core/worker.js';
import type { WebhookRegistration } from '../domain.js';
import type { DeliveryPayload } from './outbox.js';

/**
 * One webhook delivery attempt: POST the stored body bytes, signed two ways
 * with the registration's secret:
 * - `X-CaraLoom-Signature: sha256=<hex>` over the raw body (the API page's scheme),
 *   with `X-CaraLoom-Event`, `X-CaraLoom-Delivery`, `X-CaraLoom-Timestamp`;
 * - Standard Webhooks `webhook-id` (the event id, stable across retries),
 *   `webhook-timestamp` and `webhook-signature`, which signs the timestamp so a
 *   receiver can enforce a replay window.
 * The answer decides the outcome: 2xx delivered; 408, 429, 5xx and network
 * errors retried (honouring Retry-After); other 4xx dead at once.
 */

export interface DeliverOptions {
  findWebhook: (id: string) => WebhookRegistration | undefined;
  clock: Clock;
  /** @default 10000 */
  timeoutMs?: number;
}

const excerptLimit = 500;

export function createDeliveryHandler(options: DeliverOptions): (item: JournalItem<DeliveryPayload>) => Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (item) => {
    const payload = item.payload;
    const registration = options.findWebhook(payload.webhookId);
    if (registration === undefined) return { kind: 'dead', error: 'webhook registration deleted' };
    const timestamp = Math.floor(options.clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'CaraLoom-Sandbox/1.0 (+webhooks)',
      'x-caraloom-signature': signCaraloom(registration.secret, payload.body),
      'x-caraloom-event': payload.type,
      'x-caraloom-delivery': payload.deliveryId,
      'x-caraloom-timestamp': String(timestamp),
      'webhook-id': payload.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandard(registration.secret, payload.eventId, timestamp, payload.body),
    };
    let status: number;
    let retryAfter: string | undefined;
    let response: string;
    try {
      const answer = await request(registration.url, { method: 'POST', headers, body: payload.body, signal: AbortSignal.timeout(timeoutMs) });
      status = answer.statusCode;
      const header = answer.headers['retry-after'];
      retryAfter = Array.isArray(header) ? header[0] : header;
      response = (await answer.body.text()).slice(0, excerptLimit);
    } catch (error) {
      return { kind: 'retry', error: describeError(error) };
    }
    const attempt = { status, response };
    if (status >= 200 && status < 300) return { kind: 'delivered', result: { status }, attempt };
    const error = `endpoint answered ${status}`;
    if (status === 408 || status === 429 || status >= 500) {
      return { kind: 'retry', error, retryAfterMs: parseRetryAfter(retryAfter, options.clock.now()), attempt, result: { status } };
    }
    return { kind: 'dead', error, attempt, result: { status } };
  };
}
