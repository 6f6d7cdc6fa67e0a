/**
 * The HL7 v2 half of the intake pipeline: decode → parse → never ACK an ACK
 * → admit (header checks: AR; events no mapping selects: AA, `ignored`) →
 * map (AE) → dedupe → commit → ACK. AA (or CA) is only ever built after the
 * commit resolved. The shared steps live in connector/ingest-steps.ts.
 */
import { describeError } from '../core/errors.js';
import type { ItemMeta } from '../core/journal/types.js';
import type { ConnectorConfig } from './config.js';
import { buildAck, buildRejectAck, type AckError } from './hl7/ack.js';
import { ackCodeFor, isAck, looksLikeAck, type AckCode, type AckOutcome } from './hl7/ack-mode.js';
import { decodeHl7, encodeHl7 } from './hl7/decode.js';
import { isHl7ParseError } from './hl7/errors.js';
import type { Hl7Message } from './hl7/model.js';
import { parseHl7 } from './hl7/parse.js';
import { cancelReferral } from './ingest-cancel.js';
import { commit, dedupe, hashOf, peerMeta, recordConflict, recordRejected, type Candidate, type Committed } from './ingest-steps.js';
import type { Hl7IngestInput, Hl7IngestResult, IngestDeps, IngestOutcome } from './ingest.js';
import type { Mapping } from './mapping/compile.js';
import { map } from './mapping/map.js';
import { selectMapping, triggerOf } from './mapping/select.js';
import { logSafe } from '../core/log-safe.js';
import { ephemeralPseudonymKey } from './delivery/pseudonym-key.js';
import { dedupeKey, idempotencyKeyFor, patientKey, type Hl7OutboxPayload } from './outbox.js';

function versionAccepted(version: string, accepted: readonly string[]): boolean {
  return accepted.some((entry) => version === entry || version.startsWith(`${entry}.`));
}

/** What admission decided: a mapping, a reason to answer AR, or an event no mapping selects (answered AA, recorded `ignored`). */
export type Admission = { mapping: Mapping } | { problem: AckError } | { unmapped: string };

/**
 * The mapping a message goes to, or why it is rejected (AR) before mapping:
 * no control id (101), a type no mapping takes (200), its version (203) or
 * processing id (202). The type comes first: it is what a sender most needs
 * to hear. An event of a type the mappings take, that none selects, is
 * `unmapped` — answered AA as the engines' own filters do (Mirth marks such
 * messages FILTERED), unless `hl7.unmappedEvents: reject` restores AR 201.
 */
export function admit(message: Hl7Message, hl7: ConnectorConfig['hl7'], mappings: readonly Mapping[]): Admission {
  const h = message.header;
  if (h.controlId === '') return { problem: { code: 101, location: 'MSH^1^10', userMessage: 'MSH-10 message control id is required' } };
  const selection = selectMapping(mappings, message);
  if ('reject' in selection && selection.reject === 200) return { problem: { code: 200, location: 'MSH^1^9', userMessage: selection.text } };
  if (!versionAccepted(h.version, hl7.versions)) return { problem: { code: 203, location: 'MSH^1^12', userMessage: `version must be one of ${hl7.versions.join(', ')}` } };
  if (!hl7.processingIds.includes(h.processingId)) return { problem: { code: 202, location: 'MSH^1^11', userMessage: `processing id must be one of ${hl7.processingIds.join(', ')}` } };
  if ('reject' in selection) {
    return hl7.unmappedEvents === 'reject' ? { problem: { code: 201, location: 'MSH^1^9', userMessage: selection.text } } : { unmapped: selection.text };
  }
  return selection;
}

export async function ingestHl7(input: Hl7IngestInput, deps: IngestDeps): Promise<Hl7IngestResult> {
  const { journal, clock, metrics } = deps;
  const log = deps.logger;
  metrics?.received.inc({ door: input.door });
  const decoded = decodeHl7(input.bytes, { fallbackEncoding: deps.hl7.fallbackEncoding });
  const encoding = decoded.encoding;
  const now = new Date(clock.now());

  const answer = (code: AckCode | undefined, outcome: IngestOutcome, build: (code: AckCode) => string, itemId?: number): Hl7IngestResult => {
    if (code === undefined) return { kind: 'hl7', outcome, encoding, itemId };
    metrics?.acked.inc({ code });
    return { kind: 'hl7', outcome, code, reply: encodeHl7(build(code), encoding), encoding, itemId };
  };
  const payloadOf = (text: string, extra: Partial<Hl7OutboxPayload> = {}): Hl7OutboxPayload => ({ v: 1, kind: 'hl7', hl7: text, encoding, door: input.door, ...extra });

  // An ACK is never acknowledged: a peer that ACKs ACKs would ping-pong with us forever.
  if (looksLikeAck(decoded.text)) return { kind: 'hl7', outcome: 'ack-ignored', encoding };
  let message: Hl7Message;
  try {
    message = parseHl7(decoded.text, { encoding });
  } catch (error) {
    if (!isHl7ParseError(error)) throw error;
    const ackError: AckError = { code: error.details.hl7Code, location: error.details.location, userMessage: error.message };
    log.info({ reason: error.code, door: input.door }, 'message rejected: not parseable');
    const itemId = await recordRejected(deps, payloadOf(decoded.text, { reason: error.code, errors: [ackError] }), { ack: 'AR', reason: error.code });
    return answer('AR', 'reject', (code) => buildRejectAck(decoded.text, { code, text: error.message, errors: [ackError], now }), itemId);
  }
  const h = message.header;
  if (isAck(h)) return { kind: 'hl7', outcome: 'ack-ignored', encoding };
  const meta: ItemMeta = { controlId: h.controlId, type: `${h.messageType}^${triggerOf(message)}`, facility: h.sendingFacility.split('^')[0] ?? '', ...peerMeta(input.peer) };
  const reply = (outcome: AckOutcome, text: string, result: IngestOutcome, errors?: AckError[], itemId?: number) =>
    answer(ackCodeFor(h, outcome), result, (code) => buildAck(message, { code, text, errors, now }), itemId);
  const reject = async (ackError: AckError, text: string, extra: ItemMeta = {}) => {
    log.info({ controlId: logSafe(h.controlId), type: logSafe(meta.type), code: ackError.code }, 'message rejected');
    const itemId = await recordRejected(deps, payloadOf(message.text, { reason: text, errors: [ackError] }), { ...meta, ...extra, ack: 'AR', reason: String(ackError.code) });
    return reply('reject', text, 'reject', [ackError], itemId);
  };
  const base = payloadOf(message.text);
  const key = dedupeKey(h.sendingFacility, h.controlId);
  const answerRepeat = async (repeat: Exclude<Committed, { verdict: 'stored' }>, candidate: Candidate) => {
    if (repeat.verdict === 'resend') {
      log.info({ controlId: logSafe(h.controlId), itemId: repeat.item.id }, 'duplicate message: acknowledged again, not queued');
      return reply('accept', 'duplicate: already received', 'duplicate', undefined, repeat.item.id);
    }
    // Table 0357 205: the key is taken by another message. Silently keeping the first would lose this one.
    const text = `duplicate key: MSH-10 ${h.controlId} from this sender was already received with different content`;
    log.warn({ controlId: logSafe(h.controlId), itemId: repeat.item.id }, 'duplicate control id with different content: refused');
    const itemId = await recordConflict(deps, candidate, repeat.item, text);
    return reply('reject', text, 'conflict', [{ code: 205, location: 'MSH^1^10', userMessage: text }], itemId);
  };

  const admitted = admit(message, deps.hl7, deps.mappings);
  if ('problem' in admitted) return reject(admitted.problem, admitted.problem.userMessage ?? 'message rejected');

  try {
    if ('unmapped' in admitted) {
      const candidate: Candidate = { key, payload: { ...base, reason: admitted.unmapped }, meta: { ...meta, action: 'ignored' }, status: 'filtered' };
      const committed = await commit(deps, candidate);
      if (committed.verdict !== 'stored') return answerRepeat(committed, candidate);
      metrics?.ignored.inc({ door: input.door });
      log.info({ controlId: logSafe(h.controlId), type: logSafe(meta.type), itemId: committed.item.id }, 'event no mapping selects: acknowledged and recorded ignored');
      return reply('accept', `ignored: no mapping selects event ${triggerOf(message) || '(none)'}`, 'ignored', undefined, committed.item.id);
    }
    const mapping = admitted.mapping;
    meta.mapping = mapping.name;
    // Which version of the file mapped it (issue #15 §4): deps is one reload's set, so this is the hash of what maps it.
    const mappingHash = deps.mappingHashes?.get(mapping.file);
    if (mappingHash !== undefined) meta.mappingHash = mappingHash;
    // A resend is recognised before mapping: a message stored yesterday is not refused for a mapping changed today.
    const repeat = await dedupe(deps, key, hashOf(base));
    if (repeat !== undefined) return answerRepeat(repeat, { key, payload: base, meta });
    const result = map(mapping, message, now);
    if (result.kind === 'error') {
      const errors: AckError[] = result.issues.map((issue) => ({ code: issue.code, location: issue.location, userMessage: issue.message }));
      log.info({ controlId: logSafe(h.controlId), mapping: mapping.name, codes: result.issues.map((issue) => issue.code) }, 'message cannot be mapped');
      const itemId = await recordRejected(deps, { ...base, reason: 'cannot be mapped', errors }, { ...meta, ack: 'AE', reason: String(errors[0]!.code) });
      return reply('error', 'message cannot be mapped', 'error', errors, itemId);
    }
    let candidate: Candidate;
    let text: string;
    let outcome: IngestOutcome = 'accepted';
    if (result.kind === 'filtered' || result.kind === 'ignored') {
      candidate = { key, payload: { ...base, reason: result.reason }, status: 'filtered', meta: { ...meta, action: result.kind } };
      text = result.kind === 'filtered' ? `filtered by ${mapping.name}` : `recorded by ${mapping.name}`;
      outcome = 'filtered';
    } else if (result.kind === 'cancel') {
      const patient = patientKey(deps.pseudonymKey ?? ephemeralPseudonymKey, h.sendingFacility, result.orderKey);
      const cancels = await cancelReferral(journal, patient);
      candidate = { key, payload: { ...base, reason: `cancel: ${cancels.outcome}`, cancels }, status: 'filtered', meta: { ...meta, action: 'cancel', cancel: cancels.outcome, patient } };
      log.info({ controlId: logSafe(h.controlId), outcome: cancels.outcome, itemId: cancels.itemId }, 'cancel discharge');
      text = `cancel discharge: ${cancels.outcome}`;
      outcome = 'cancel';
    } else {
      const patient = patientKey(deps.pseudonymKey ?? ephemeralPseudonymKey, h.sendingFacility, result.orderKey);
      const payload: Hl7OutboxPayload = { ...base, request: result.request, identifiers: result.identifiers, idempotencyKey: idempotencyKeyFor(h.sendingFacility, h.controlId) };
      candidate = { key, orderKey: patient, payload, meta: { ...meta, action: 'refer', target: result.request.target, patient } };
      text = 'message stored';
    }
    const committed = await commit(deps, candidate);
    if (committed.verdict !== 'stored') return answerRepeat(committed, candidate);
    if (outcome === 'filtered') metrics?.filtered.inc({ mapping: mapping.name });
    if (outcome === 'accepted') log.info({ controlId: logSafe(h.controlId), itemId: committed.item.id, mapping: mapping.name }, 'message stored');
    return reply('accept', text, outcome, undefined, committed.item.id);
  } catch (error) {
    // Nothing was committed: AR 207 tells the sender to keep the message and send it again.
    log.error({ controlId: logSafe(h.controlId), err: describeError(error) }, 'journal unavailable; message refused');
    const ackError: AckError = { code: 207, location: '', userMessage: 'storage unavailable: send again later' };
    return reply('reject', 'storage unavailable', 'unavailable', [ackError]);
  }
}
