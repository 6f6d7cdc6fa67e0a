/**
 * One delivery attempt of an outbox item to the Discharge API, as an outcome
 * for core/worker.ts: 2xx delivered (referral id and matches kept); 429 wait
 * for Retry-After without using up the schedule; 408, 5xx, timeouts and
 * connection errors retried with backoff; any other 4xx dead at once with
 * the API's answer kept for the operator.
 */
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { JournalItem } from '../../core/journal/types.js';
import { parseRetryAfter } from '../../core/retry-policy.js';
import type { DeliveryOutcome } from '../../core/worker.js';
import { readOutboxPayload, type OutboxPayload } from '../outbox.js';
import type { ApiAnswer, ApiClient } from './api-client.js';
import { deidentify } from './deidentify.js';
import type { Pacer } from './pacer.js';

export interface DeliveryHandlerOptions {
  api: ApiClient;
  clock: Clock;
  pacer: Pacer;
  /** Drop / pseudonymise direct identifiers before sending (a sandbox key, unless config allows). */
  deidentify: boolean;
  /** The install's pseudonym key (delivery/pseudonym-key.ts): pseudonyms are HMACs under it. */
  pseudonymKey: Buffer;
}

/** When a 429 names no Retry-After: a minute, the API's shortest window. */
const DEFAULT_RATE_WAIT_MS = 60_000;

export interface DeliveredResult {
  referralId?: string;
  status?: string;
  /** Clinicians the API matched (native answers). */
  matches?: unknown[];
  /** True when the API recognised the Idempotency-Key and answered the earlier result. */
  replayed: boolean;
  httpStatus: number;
}

function header(answer: ApiAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function summarise(answer: ApiAnswer): DeliveredResult {
  const json = answer.json as Record<string, unknown> | undefined;
  const data = (json?.data ?? json) as Record<string, unknown> | undefined;
  const result: DeliveredResult = { replayed: header(answer, 'idempotent-replayed') === 'true', httpStatus: answer.status };
  if (typeof data?.id === 'string') result.referralId = data.id;
  if (typeof data?.status === 'string') result.status = data.status;
  if (Array.isArray(data?.matches)) result.matches = data.matches;
  return result;
}

export function createDeliveryHandler(options: DeliveryHandlerOptions): (item: JournalItem<OutboxPayload>) => Promise<DeliveryOutcome> {
  const { api, pacer, clock } = options;
  return async (item) => {
    // Read like any stored payload: items written before payloads carried `kind` deliver as before.
    const payload = readOutboxPayload(item.payload);
    if (payload.request === undefined || payload.idempotencyKey === undefined) return { kind: 'dead', error: 'outbox item holds no request' };
    const wait = pacer.take();
    if (wait > 0) return { kind: 'retry', error: 'rate limit window exhausted: waiting for it to reopen', retryAfterMs: wait, countsAsAttempt: false };
    const request = payload.request;
    const body = options.deidentify ? deidentify(request.body, payload.identifiers ?? [], String(item.meta.facility ?? ''), options.pseudonymKey) : request.body;
    const contentType = request.target === 'fhir' ? 'application/fhir+json' : 'application/json';
    let answer: ApiAnswer;
    try {
      answer = await api.post(request.path, body, { 'content-type': contentType, 'idempotency-key': payload.idempotencyKey });
    } catch (error) {
      return { kind: 'retry', error: describeError(error) };
    }
    pacer.observe(answer.json);
    const attempt = { status: answer.status, response: answer.text.slice(0, 2_000) };
    if (answer.status >= 200 && answer.status < 300) return { kind: 'delivered', result: summarise(answer), attempt };
    if (answer.status === 429) {
      const retryAfterMs = parseRetryAfter(header(answer, 'retry-after'), clock.now()) ?? DEFAULT_RATE_WAIT_MS;
      pacer.exhausted(retryAfterMs);
      return { kind: 'retry', error: 'HTTP 429: rate limited', retryAfterMs, countsAsAttempt: false, attempt };
    }
    if (answer.status === 408 || answer.status >= 500) return { kind: 'retry', error: `HTTP ${answer.status}`, attempt };
    const code = ((answer.json as { error?: { code?: unknown } } | undefined)?.error?.code as string | undefined) ?? '';
    return { kind: 'dead', error: `HTTP ${answer.status}${code === '' ? '' : ` ${code}`}`, result: { httpStatus: answer.status, answer: answer.json ?? answer.text }, attempt };
  };
}
