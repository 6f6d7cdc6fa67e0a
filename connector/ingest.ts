/**
 * The one intake pipeline both doors (MLLP, HTTP) call:
 * decode → parse → never ACK an ACK → header checks (AR) → duplicate check →
 * match, filter, map (AE) → commit to the journal → ACK.
 * AA (or CA) is only ever built after the commit resolved.
 */
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { ItemMeta, Journal } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { ConnectorConfig } from './config.js';
import { buildAck, buildRejectAck, type AckError } from './hl7/ack.js';
import { ackCodeFor, isAck, looksLikeAck, type AckCode, type AckOutcome } from './hl7/ack-mode.js';
import { decodeHl7, encodeHl7 } from './hl7/decode.js';
import { isHl7ParseError } from './hl7/errors.js';
import type { Hl7Message } from './hl7/model.js';
import { parseHl7 } from './hl7/parse.js';
import { cancelReferral } from './ingest-cancel.js';
import type { Mapping } from './mapping/compile.js';
import { map } from './mapping/map.js';
import { selectMapping, triggerOf } from './mapping/select.js';
import type { ConnectorMetrics } from './metrics.js';
import { dedupeKey, idempotencyKeyFor, outboxQueue, patientKey, type OutboxPayload } from './outbox.js';

export interface IngestInput {
  /** One message's bytes (an MLLP frame's payload, an HTTP body). */
  bytes: Buffer;
  door: 'mllp' | 'http';
}

export type IngestOutcome = 'accepted' | 'duplicate' | 'filtered' | 'cancel' | 'error' | 'reject' | 'unavailable' | 'ack-ignored';

export interface IngestResult {
  outcome: IngestOutcome;
  /** The ACK to send, encoded like the message; undefined when none is due (an ACK came in, MSH-15 asked for none). */
  reply?: Buffer;
  /** MSA-1 of the reply. */
  code?: AckCode;
  /** Encoding of `reply` (for an HTTP charset). */
  encoding: string;
  itemId?: number;
}

export interface IngestDeps {
  journal: Journal;
  mappings: readonly Mapping[];
  hl7: ConnectorConfig['hl7'];
  clock: Clock;
  logger: Logger;
  metrics?: ConnectorMetrics;
}

function versionAccepted(version: string, accepted: readonly string[]): boolean {
  return accepted.some((entry) => version === entry || version.startsWith(`${entry}.`));
}

/**
 * The mapping a message goes to, or why it is rejected (AR) before mapping:
 * no control id (101), a type (200) or event (201) no mapping takes, its
 * version (203) or processing id (202). The type comes first: it is what a
 * sender most needs to hear.
 */
export function admit(message: Hl7Message, hl7: ConnectorConfig['hl7'], mappings: readonly Mapping[]): { mapping: Mapping } | { problem: AckError } {
  const h = message.header;
  if (h.controlId === '') return { problem: { code: 101, location: 'MSH^1^10', userMessage: 'MSH-10 message control id is required' } };
  const selection = selectMapping(mappings, message);
  if ('reject' in selection) return { problem: { code: selection.reject, location: 'MSH^1^9', userMessage: selection.text } };
  if (!versionAccepted(h.version, hl7.versions)) return { problem: { code: 203, location: 'MSH^1^12', userMessage: `version must be one of ${hl7.versions.join(', ')}` } };
  if (!hl7.processingIds.includes(h.processingId)) return { problem: { code: 202, location: 'MSH^1^11', userMessage: `processing id must be one of ${hl7.processingIds.join(', ')}` } };
  return selection;
}

export async function ingest(input: IngestInput, deps: IngestDeps): Promise<IngestResult> {
  const { journal, clock, metrics } = deps;
  const log = deps.logger;
  metrics?.received.inc({ door: input.door });
  const decoded = decodeHl7(input.bytes, { fallbackEncoding: deps.hl7.fallbackEncoding });
  const encoding = decoded.encoding;
  const now = new Date(clock.now());

  const answer = (code: AckCode | undefined, outcome: IngestOutcome, build: (code: AckCode) => string, itemId?: number): IngestResult => {
    if (code === undefined) return { outcome, encoding, itemId };
    metrics?.acked.inc({ code });
    return { outcome, code, reply: encodeHl7(build(code), encoding), encoding, itemId };
  };
  // Record what was refused, best effort: an analyst can see it with `messages list --status rejected`.
  const recordRejected = async (payload: OutboxPayload, meta: ItemMeta): Promise<number | undefined> => {
    try {
      const { item } = await journal.enqueue({ queue: outboxQueue, payload, status: 'rejected', meta });
      return item.id;
    } catch (error) {
      log.warn({ err: describeError(error) }, 'could not record a rejected message');
      return undefined;
    }
  };

  // An ACK is never acknowledged: a peer that ACKs ACKs would ping-pong with us forever.
  if (looksLikeAck(decoded.text)) return { outcome: 'ack-ignored', encoding };
  let message: Hl7Message;
  try {
    message = parseHl7(decoded.text, { encoding });
  } catch (error) {
    if (!isHl7ParseError(error)) throw error;
    const ackError: AckError = { code: error.details.hl7Code, location: error.details.location, userMessage: error.message };
    log.info({ reason: error.code, door: input.door }, 'message rejected: not parseable');
    const itemId = await recordRejected({ v: 1, hl7: decoded.text, encoding, door: input.door, reason: error.code, errors: [ackError] }, { ack: 'AR', reason: error.code });
    return answer('AR', 'reject', (code) => buildRejectAck(decoded.text, { code, text: error.message, errors: [ackError], now }), itemId);
  }
  const h = message.header;
  if (isAck(h)) return { outcome: 'ack-ignored', encoding };
  const meta: ItemMeta = { controlId: h.controlId, type: `${h.messageType}^${triggerOf(message)}`, facility: h.sendingFacility.split('^')[0] ?? '' };
  const reply = (outcome: AckOutcome, text: string, result: IngestOutcome, errors?: AckError[], itemId?: number) =>
    answer(ackCodeFor(h, outcome), result, (code) => buildAck(message, { code, text, errors, now }), itemId);
  const reject = async (ackError: AckError, text: string, extra: ItemMeta = {}) => {
    log.info({ controlId: h.controlId, type: meta.type, code: ackError.code }, 'message rejected');
    const itemId = await recordRejected({ v: 1, hl7: message.text, encoding, door: input.door, reason: text, errors: [ackError] }, { ...meta, ...extra, ack: 'AR', reason: String(ackError.code) });
    return reply('reject', text, 'reject', [ackError], itemId);
  };

  const admitted = admit(message, deps.hl7, deps.mappings);
  if ('problem' in admitted) return reject(admitted.problem, admitted.problem.userMessage ?? 'message rejected');
  const mapping = admitted.mapping;
  meta.mapping = mapping.name;
  const key = dedupeKey(h.sendingFacility, h.controlId);

  try {
    const existing = await journal.getByKey(outboxQueue, key);
    if (existing !== undefined) {
      log.info({ controlId: h.controlId, itemId: existing.id }, 'duplicate message: acknowledged again, not queued');
      return reply('accept', 'duplicate: already received', 'duplicate', undefined, existing.id);
    }
    const result = map(mapping, message, now);
    const base: OutboxPayload = { v: 1, hl7: message.text, encoding, door: input.door };
    if (result.kind === 'error') {
      const errors: AckError[] = result.issues.map((issue) => ({ code: issue.code, location: issue.location, userMessage: issue.message }));
      log.info({ controlId: h.controlId, mapping: mapping.name, codes: result.issues.map((issue) => issue.code) }, 'message cannot be mapped');
      const itemId = await recordRejected({ ...base, reason: 'cannot be mapped', errors }, { ...meta, ack: 'AE', reason: String(errors[0]!.code) });
      return reply('error', 'message cannot be mapped', 'error', errors, itemId);
    }
    if (result.kind === 'filtered' || result.kind === 'ignored') {
      const { item } = await journal.enqueue({ queue: outboxQueue, key, payload: { ...base, reason: result.reason }, status: 'filtered', meta: { ...meta, action: result.kind } });
      metrics?.filtered.inc({ mapping: mapping.name });
      return reply('accept', result.kind === 'filtered' ? `filtered by ${mapping.name}` : `recorded by ${mapping.name}`, 'filtered', undefined, item.id);
    }
    if (result.kind === 'cancel') {
      const patient = patientKey(h.sendingFacility, result.orderKey);
      const cancels = await cancelReferral(journal, patient);
      const { item } = await journal.enqueue({ queue: outboxQueue, key, payload: { ...base, reason: `cancel: ${cancels.outcome}`, cancels }, status: 'filtered', meta: { ...meta, action: 'cancel', cancel: cancels.outcome, patient } });
      log.info({ controlId: h.controlId, outcome: cancels.outcome, itemId: cancels.itemId }, 'cancel discharge');
      return reply('accept', `cancel discharge: ${cancels.outcome}`, 'cancel', undefined, item.id);
    }
    const patient = patientKey(h.sendingFacility, result.orderKey);
    const payload: OutboxPayload = { ...base, request: result.request, identifiers: result.identifiers, idempotencyKey: idempotencyKeyFor(h.sendingFacility, h.controlId) };
    const { item, created } = await journal.enqueue({ queue: outboxQueue, key, orderKey: patient, payload, meta: { ...meta, action: 'refer', target: result.request.target, patient } });
    log.info({ controlId: h.controlId, itemId: item.id, mapping: mapping.name, created }, created ? 'message stored' : 'duplicate message: acknowledged again');
    return reply('accept', created ? 'message stored' : 'duplicate: already received', created ? 'accepted' : 'duplicate', undefined, item.id);
  } catch (error) {
    // Nothing was committed: AR 207 tells the sender to keep the message and send it again.
    log.error({ controlId: h.controlId, err: describeError(error) }, 'journal unavailable; message refused');
    const ackError: AckError = { code: 207, location: '', userMessage: 'storage unavailable: send again later' };
    return reply('reject', 'storage unavailable', 'unavailable', [ackError]);
  }
}
