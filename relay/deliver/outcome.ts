import { parseRetryAfter } from '../../core/retry-policy.js';
import type { DeliveryOutcome } from '../../core/worker.js';

/** A delivery outcome, plus a request to pause the subscriber (it said 410 Gone). */
export type SubscriberOutcome = DeliveryOutcome & { pause?: string };

export interface HttpAnswer {
  status: number;
  retryAfter?: string | undefined;
  /** Bounded excerpt of the response body. */
  excerpt: string;
}

/**
 * What an HTTP subscriber's answer means (pure):
 * - 2xx delivered;
 * - 410 Gone: the endpoint asks not to be called again, so the subscriber is
 *   paused and the delivery waits (uncounted) until an operator resumes it;
 * - 408, 429, 5xx: retried, honouring `Retry-After`;
 * - any other 4xx: permanent, straight to dead letters with the answer kept.
 */
export function classifyHttp(answer: HttpAnswer, now: number): SubscriberOutcome {
  const attempt = { status: answer.status, response: answer.excerpt };
  const result = { status: answer.status, response: answer.excerpt };
  if (answer.status >= 200 && answer.status < 300) return { kind: 'delivered', result, attempt };
  const error = `HTTP ${answer.status}`;
  if (answer.status === 410) return { kind: 'retry', error, retryAfterMs: 0, countsAsAttempt: false, attempt, pause: 'subscriber answered 410 Gone' };
  if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
    return { kind: 'retry', error, retryAfterMs: parseRetryAfter(answer.retryAfter, now), attempt, result };
  }
  return { kind: 'dead', error, result, attempt };
}

/** A transport failure (refused, reset, timeout, TLS): always worth retrying. */
export function transportFailure(error: string): SubscriberOutcome {
  return { kind: 'retry', error, attempt: { error } };
}
