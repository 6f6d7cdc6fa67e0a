/**
 * What the connector keeps in its journal queue (`connector.outbox`) and how
 * its keys are derived. Meta holds PHI-free facts only; the payload holds
 * the message itself and lives only in the local journal.
 */
import { createHash } from 'node:crypto';
import type { AckError } from './hl7/ack.js';
import type { IdentifierField, OutboundRequest } from './mapping/map.js';

export { outboxQueue } from './metrics.js';

export interface OutboxPayload {
  v: 1;
  /** The message as decoded text (CR separators). Patient data. */
  hl7: string;
  /** Encoding it arrived in. */
  encoding: string;
  door: 'mllp' | 'http';
  /** The request to send (referral items). Patient data. */
  request?: OutboundRequest;
  /** Output paths a sandbox key never receives as they are. */
  identifiers?: IdentifierField[];
  /** Sent as `Idempotency-Key`; the same on every attempt and every replay. */
  idempotencyKey?: string;
  /** Why the message was filtered, ignored, cancelled or rejected (PHI-free). */
  reason?: string;
  /** ERR segments answered (rejected items). */
  errors?: AckError[];
  /** A13: the referral item it cancelled, or the delivered referral it flags. */
  cancels?: { itemId: number; outcome: CancelOutcome; referralId?: string };
}

export type CancelOutcome = 'cancelled' | 'already-delivered' | 'in-flight' | 'not-found';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Journal key for duplicate detection: MSH-4 + MSH-10, as HL7 defines message identity. */
export function dedupeKey(sendingFacility: string, controlId: string): string {
  return `${sendingFacility}|${controlId}`;
}

/**
 * `Idempotency-Key` header: derived from MSH-4 + MSH-10 so a retry, a replay
 * or a second connector instance sending the same message is recognised by
 * the API. Hashed to fit the header's printable-ASCII limit whatever MSH-4 holds.
 */
export function idempotencyKeyFor(sendingFacility: string, controlId: string): string {
  return `hl7-${sha256(`${sendingFacility}\n${controlId}`).slice(0, 40)}`;
}

/** Per-patient ordering key: a hash, so the MRN is not stored in a journal column. */
export function patientKey(sendingFacility: string, orderKey: string): string {
  return `p-${sha256(`${sendingFacility.split('^')[0]}\n${orderKey}`).slice(0, 32)}`;
}
