/**
 * `caraloom map`: what the connector would do with a message, without a
 * journal or a network — the mapping that matched, the filter verdict, the
 * request it would send, or the ACK (AE / AR with ERR) it would answer.
 * Same decode, parse, header checks, selection and `map()` as ingest.
 */
import type { ConnectorConfig } from './config.js';
import { buildAck, buildRejectAck, type AckError } from './hl7/ack.js';
import { ackCodeFor, isAck, looksLikeAck, type AckOutcome } from './hl7/ack-mode.js';
import { decodeHl7 } from './hl7/decode.js';
import { isHl7ParseError } from './hl7/errors.js';
import type { Hl7Message } from './hl7/model.js';
import { parseHl7 } from './hl7/parse.js';
import { admit } from './ingest.js';
import type { Mapping } from './mapping/compile.js';
import { map, type MapResult } from './mapping/map.js';
import { triggerOf } from './mapping/select.js';

export interface DryRun {
  /** `ADT^A03`, or '' when unreadable. */
  type: string;
  controlId: string;
  mapping?: { name: string; file: string };
  /** What happened, in one word. */
  verdict: 'request' | 'filtered' | 'ignored' | 'cancel' | 'AE' | 'AR' | 'no ack (an ACK)';
  result?: MapResult;
  /** The ACK text the connector would answer (CR separators); absent when it would answer nothing (an ACK, MSH-15 NE). */
  ack?: string;
  errors?: AckError[];
}

export function dryRun(bytes: Buffer, mappings: readonly Mapping[], hl7: ConnectorConfig['hl7'], now: Date): DryRun {
  const decoded = decodeHl7(bytes, { fallbackEncoding: hl7.fallbackEncoding });
  if (looksLikeAck(decoded.text)) return { type: 'ACK', controlId: '', verdict: 'no ack (an ACK)' };
  let message: Hl7Message;
  try {
    message = parseHl7(decoded.text, { encoding: decoded.encoding });
  } catch (error) {
    if (!isHl7ParseError(error)) throw error;
    const errors: AckError[] = [{ code: error.details.hl7Code, location: error.details.location, userMessage: error.message }];
    return { type: '', controlId: '', verdict: 'AR', errors, ack: buildRejectAck(decoded.text, { code: 'AR', text: error.message, errors, now, controlId: 'DRYRUN' }) };
  }
  const h = message.header;
  const base = { type: `${h.messageType}^${triggerOf(message)}`, controlId: h.controlId };
  if (isAck(h)) return { ...base, verdict: 'no ack (an ACK)' };
  // The sender's MSH-15/16 decide the ACK: AA/AE/AR, a commit ack CA/CE/CR, or none at all.
  const ack = (outcome: AckOutcome, text: string, errors?: AckError[]) => {
    const code = ackCodeFor(h, outcome);
    return code === undefined ? undefined : buildAck(message, { code, text, errors, now, controlId: 'DRYRUN' });
  };
  const admitted = admit(message, hl7, mappings);
  if ('problem' in admitted) return { ...base, verdict: 'AR', errors: [admitted.problem], ack: ack('reject', admitted.problem.userMessage ?? 'message rejected', [admitted.problem]) };
  if ('unmapped' in admitted) return { ...base, verdict: 'ignored', ack: ack('accept', `ignored: no mapping selects event ${triggerOf(message) || '(none)'}`) };
  const mapping = { name: admitted.mapping.name, file: admitted.mapping.file };
  const result = map(admitted.mapping, message, now);
  if (result.kind === 'error') {
    const errors: AckError[] = result.issues.map((issue) => ({ code: issue.code, location: issue.location, userMessage: issue.message }));
    return { ...base, mapping, verdict: 'AE', result, errors, ack: ack('error', 'message cannot be mapped', errors) };
  }
  return { ...base, mapping, verdict: result.kind, result, ack: ack('accept', result.kind === 'request' ? 'message stored' : `${result.kind} by ${mapping.name}`) };
}
