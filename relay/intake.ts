import type { Context } from 'koa';
import type { Clock } from '../core/clock.js';
import { describeError, isCaraloomError } from '../core/errors.js';
import { readRawBody } from '../core/http/raw-body.js';
import type { Journal } from '../core/journal/types.js';
import { logSafe } from '../core/log-safe.js';
import type { Logger } from '../core/logger.js';
import type { SubscriberConfig } from './config.js';
import { parseEvent, type RelayEvent } from './event.js';
import { fanOut, inboxQueue } from './match.js';
import type { RelayMetrics } from './metrics.js';
import { verifyWebhook, type Refusal } from './verify.js';

export interface IntakeDeps {
  journal: Journal;
  clock: Clock;
  logger: Logger;
  metrics: RelayMetrics;
  /** Read per request so a rotated secrets file takes effect without a restart. */
  secrets: () => readonly string[];
  /** The subscribers an event goes to. */
  subscribers: (event: RelayEvent) => readonly SubscriberConfig[];
  bodyLimit: number;
  toleranceMs: number;
  requireTimestamp: boolean;
}

/** Fixed texts: a refused caller learns which check failed, nothing more. */
const refusals: Record<Refusal, string> = {
  missing_signature: 'missing X-CaraLoom-Signature header',
  bad_signature: 'signature does not match',
  bad_timestamp: 'malformed webhook timestamp',
  stale_timestamp: 'webhook timestamp outside the tolerance window',
  missing_timestamp: 'webhook timestamp headers required',
};

const answer = (ctx: Context, status: number, body: Record<string, unknown>) => {
  ctx.status = status;
  ctx.body = body;
};

/**
 * `POST <path>`: raw body → signature → parse → dedupe → commit (inbox record
 * and one delivery per subscriber, one transaction) → 200. Fan-out happens
 * later in the subscribers' workers, never on the sender's time. Nothing is
 * stored for a refused request.
 */
export function createIntake(deps: IntakeDeps) {
  const log = deps.logger;
  return async (ctx: Context): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, deps.bodyLimit);
    } catch (error) {
      const status = isCaraloomError(error) ? error.status : 400;
      deps.metrics.received.inc({ outcome: status === 413 ? 'too_large' : 'unreadable' });
      return answer(ctx, status, { error: { code: status === 413 ? 'BODY_TOO_LARGE' : 'BAD_REQUEST', message: status === 413 ? `body exceeds ${deps.bodyLimit} bytes` : 'could not read body' } });
    }
    const secrets = deps.secrets();
    if (secrets.length === 0) {
      deps.metrics.received.inc({ outcome: 'no_secret' });
      log.error('webhook refused: no verification secret configured (CARALOOM_WEBHOOK_SECRET, relay.secrets or `caraloom relay register`)');
      return answer(ctx, 503, { error: { code: 'NOT_CONFIGURED', message: 'relay has no verification secret' } });
    }
    const verdict = verifyWebhook({ secrets, raw, headers: ctx.req.headers, now: deps.clock.now(), toleranceMs: deps.toleranceMs, requireTimestamp: deps.requireTimestamp });
    if (!verdict.ok) {
      deps.metrics.received.inc({ outcome: verdict.reason });
      log.warn({ reason: verdict.reason, bytes: raw.length }, 'webhook refused');
      return answer(ctx, 401, { error: { code: 'SIGNATURE_INVALID', message: refusals[verdict.reason] } });
    }
    const parsed = parseEvent(raw);
    if (!parsed.ok) {
      deps.metrics.received.inc({ outcome: 'malformed' });
      log.warn({ bytes: raw.length, problem: parsed.problem }, 'signed webhook is not a valid event');
      return answer(ctx, 400, { error: { code: 'EVENT_INVALID', message: parsed.problem } });
    }
    const { event } = parsed;
    try {
      if ((await deps.journal.getByKey(inboxQueue, event.id)) !== undefined) {
        deps.metrics.received.inc({ outcome: 'duplicate' });
        log.info({ eventId: logSafe(event.id), type: logSafe(event.type) }, 'duplicate event dropped');
        return answer(ctx, 200, { received: true, id: event.id, duplicate: true });
      }
      const results = await deps.journal.enqueueMany(fanOut(deps.subscribers(event), event, raw.toString('utf8')));
      const duplicate = results[0]?.created === false;
      deps.metrics.received.inc({ outcome: duplicate ? 'duplicate' : 'accepted' });
      log.info({ eventId: logSafe(event.id), type: logSafe(event.type), subscribers: results.length - 1, bytes: raw.length, duplicate }, 'event accepted');
      return answer(ctx, 200, { received: true, id: event.id, duplicate, deliveries: duplicate ? 0 : results.length - 1 });
    } catch (error) {
      // Not committed: the sender must retry, so say so with a 503.
      deps.metrics.received.inc({ outcome: 'storage_error' });
      log.error({ eventId: logSafe(event.id), err: describeError(error) }, 'could not store event');
      return answer(ctx, 503, { error: { code: 'STORAGE_UNAVAILABLE', message: 'storage unavailable, retry later' } });
    }
  };
}
