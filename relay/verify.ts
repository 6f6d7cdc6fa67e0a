import type { IncomingHttpHeaders } from 'node:http';
import { verifyCaraloom, verifyStandard } from '../core/signature.js';

/** Why a request was refused; each maps to a fixed 401 message and a metric label. */
export type Refusal = 'missing_signature' | 'bad_signature' | 'bad_timestamp' | 'stale_timestamp' | 'missing_timestamp';

export interface VerifyInput {
  secrets: readonly string[];
  raw: Buffer;
  headers: IncomingHttpHeaders;
  /** Epoch ms. */
  now: number;
  /** Largest distance between a signed timestamp and now, in ms. */
  toleranceMs: number;
  /** Refuse a request that carries no signed timestamp. */
  requireTimestamp: boolean;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Check an inbound webhook, a pure function of (secrets, raw bytes, headers, now).
 *
 * `X-CaraLoom-Signature` (HMAC over the body) is always required: it is what
 * the API documents. It does not cover a timestamp, so a captured request
 * could be replayed; when the sender also sends Standard Webhooks headers
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), those are checked
 * too and the signed timestamp must be within the tolerance. An unsigned
 * `X-CaraLoom-Timestamp`, when present, is held to the same window (it costs
 * nothing, though only the signed one really stops a replay; dedupe by event
 * id covers replays inside the dedupe window).
 */
export function verifyWebhook(input: VerifyInput): { ok: true; timestamp?: number } | { ok: false; reason: Refusal } {
  const signature = header(input.headers, 'x-caraloom-signature');
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing_signature' };
  if (!verifyCaraloom(input.secrets, input.raw, signature)) return { ok: false, reason: 'bad_signature' };

  const id = header(input.headers, 'webhook-id');
  const stamp = header(input.headers, 'webhook-timestamp');
  const standard = header(input.headers, 'webhook-signature');
  const plainStamp = header(input.headers, 'x-caraloom-timestamp');
  if (id === undefined && stamp === undefined && standard === undefined) {
    if (input.requireTimestamp) return { ok: false, reason: 'missing_timestamp' };
    if (plainStamp === undefined) return { ok: true };
    const seconds = parseSeconds(plainStamp);
    if (seconds === undefined) return { ok: false, reason: 'bad_timestamp' };
    return withinWindow(seconds, input) ? { ok: true, timestamp: seconds } : { ok: false, reason: 'stale_timestamp' };
  }
  if (id === undefined || stamp === undefined || standard === undefined) return { ok: false, reason: 'bad_signature' };
  const seconds = parseSeconds(stamp);
  if (seconds === undefined) return { ok: false, reason: 'bad_timestamp' };
  if (!verifyStandard(input.secrets, id, seconds, input.raw, standard)) return { ok: false, reason: 'bad_signature' };
  return withinWindow(seconds, input) ? { ok: true, timestamp: seconds } : { ok: false, reason: 'stale_timestamp' };
}

/** Unix seconds; an ISO date is accepted too for the unsigned header. */
function parseSeconds(value: string): number | undefined {
  if (/^\d{1,12}$/.test(value.trim())) return Number(value.trim());
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function withinWindow(seconds: number, input: VerifyInput): boolean {
  return Math.abs(input.now - seconds * 1000) <= input.toleranceMs;
}
