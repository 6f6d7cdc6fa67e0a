import { Agent, request } from 'undici';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { JournalItem } from '../../core/journal/types.js';
import { signCaraloom, signStandard } from '../../core/signature.js';
import type { HttpSubscriberConfig } from '../config.js';
import { deliveryId, type DeliveryPayload } from '../match.js';
import { classifyHttp, transportFailure, type SubscriberOutcome } from './outcome.js';

/** Longest part of a subscriber's answer read and kept with the attempt. */
const excerptLimit = 2_000;

/**
 * The headers of one attempt. The body is the API's exact bytes; the
 * signatures are the subscriber's own (its `secret`), in both shapes:
 * `X-CaraLoom-Signature` like the API's, and Standard Webhooks headers whose
 * `webhook-id` is the stable delivery id (the same on every retry).
 */
export function outboundHeaders(subscriber: HttpSubscriberConfig, payload: DeliveryPayload, nowMs: number): Record<string, string> {
  const id = deliveryId(payload.event.id, subscriber.name);
  const seconds = Math.floor(nowMs / 1000);
  const headers: Record<string, string> = {
    ...subscriber.headers,
    'content-type': 'application/json',
    'user-agent': 'CaraLoom-Relay/1',
    'x-caraloom-event': payload.event.type,
    'x-caraloom-event-id': payload.event.id,
    'x-caraloom-delivery': id,
    'x-caraloom-timestamp': String(seconds),
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
  };
  if (subscriber.secret !== undefined) {
    headers['x-caraloom-signature'] = signCaraloom(subscriber.secret, payload.body);
    headers['webhook-signature'] = signStandard(subscriber.secret, id, seconds, payload.body);
  }
  return headers;
}

export interface HttpDeliverer {
  deliver(item: JournalItem<DeliveryPayload>): Promise<SubscriberOutcome>;
  close(): Promise<void>;
}

export function createHttpDeliverer(subscriber: HttpSubscriberConfig, clock: Clock): HttpDeliverer {
  // One keep-alive pool per subscriber: a slow one cannot starve another's sockets.
  const agent = new Agent({ connections: subscriber.concurrency, keepAliveTimeout: 4_000, connect: { timeout: Math.min(subscriber.timeout, 10_000) } });
  return {
    async deliver(item) {
      const payload = item.payload;
      try {
        const response = await request(subscriber.url, {
          method: 'POST',
          dispatcher: agent,
          headers: outboundHeaders(subscriber, payload, clock.now()),
          body: payload.body,
          // One bound for the whole attempt (connect, headers, body), so the lease always outlives it.
          signal: AbortSignal.timeout(subscriber.timeout),
          headersTimeout: subscriber.timeout,
          bodyTimeout: subscriber.timeout,
        });
        const excerpt = await readExcerpt(response.body);
        const retryAfter = response.headers['retry-after'];
        return classifyHttp({ status: response.statusCode, excerpt, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter }, clock.now());
      } catch (error) {
        return transportFailure(describeError(error));
      }
    },
    close: () => agent.close(),
  };
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= excerptLimit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, excerptLimit).toString('utf8');
}
