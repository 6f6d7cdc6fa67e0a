/**
 * What the connector keeps in its journal queue (`connector.outbox`) and how
 * its keys are derived. Meta holds PHI-free facts only; the payload holds
 * the message itself and lives only in the local journal.
 *
 * The payload is a union over the door's format (`kind`): every door that
 * takes a new format adds one member here, and the exhaustive switches over
 * `kind` (readers below, the admin view) fail to compile until it is handled.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Resource } from 'fhir/r4.js';
import { itemStatuses, type ItemMeta, type ItemStatus } from '../core/journal/types.js';
import type { AckError } from './hl7/ack.js';
import type { IdentifierField, OutboundRequest } from './mapping/map.js';

export { outboxQueue } from './metrics.js';

export type Door = 'mllp' | 'http';

interface PayloadBase {
  v: 1;
  door: Door;
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

export interface Hl7OutboxPayload extends PayloadBase {
  kind: 'hl7';
  /** The message as decoded text (CR separators). Patient data. */
  hl7: string;
  /** Encoding it arrived in. */
  encoding: string;
}

export interface FhirOutboxPayload extends PayloadBase {
  kind: 'fhir';
  /** What was posted, whole. Patient data. */
  fhir: { endpoint: FhirEndpoint; body: Resource };
}

export type FhirEndpoint = 'ServiceRequest' | 'Bundle';

export type OutboxPayload = Hl7OutboxPayload | FhirOutboxPayload;

export type CancelOutcome = 'cancelled' | 'already-delivered' | 'in-flight' | 'not-found';

/**
 * A payload as stored, whatever release stored it. Journals written before
 * payloads carried `kind` hold plain objects: those are HL7 (`hl7`,
 * `encoding`), or FHIR when they carry the posted resource under `fhir`
 * (their `hl7` was an empty placeholder). Queued messages survive an upgrade.
 */
export function readOutboxPayload(stored: unknown): OutboxPayload {
  const value = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  if (value.kind === 'hl7' || value.kind === 'fhir') return value as unknown as OutboxPayload;
  if (typeof value.fhir === 'object' && value.fhir !== null) {
    const { hl7: _hl7, encoding: _encoding, ...rest } = value;
    return { ...rest, kind: 'fhir' } as unknown as FhirOutboxPayload;
  }
  return { ...value, kind: 'hl7', hl7: typeof value.hl7 === 'string' ? value.hl7 : '', encoding: typeof value.encoding === 'string' ? value.encoding : 'utf-8' } as unknown as Hl7OutboxPayload;
}

/** The message as it arrived, as text: what a content hash covers and what an operator is shown. */
export function contentOf(payload: OutboxPayload): string {
  switch (payload.kind) {
    case 'hl7':
      return payload.hl7;
    case 'fhir':
      return canonicalJson(payload.fhir.body);
    default:
      return unhandled(payload);
  }
}

function unhandled(value: never): never {
  throw new Error(`unhandled outbox payload kind ${(value as { kind?: unknown }).kind as string}`);
}

/** JSON with object keys sorted, so the same resource hashes the same whatever key order a sender used. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Kept in meta (`contentHash`) so a repeat of a key can be told from a
 * conflicting reuse of it even after retention removed the content.
 */
export function contentHash(text: string): string {
  return `sha256:${sha256(text)}`;
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

/**
 * Per-patient ordering key: an HMAC under the install's pseudonym key
 * (delivery/pseudonym-key.ts), so the MRN is neither stored in a journal
 * column nor recoverable by hashing every MRN in a range. Items queued before
 * the key existed keep their old (unkeyed) order key.
 */
export function patientKey(key: Buffer, sendingFacility: string, orderKey: string): string {
  return `p-${createHmac('sha256', key).update(`${sendingFacility.split('^')[0]}\n${orderKey}`).digest('hex').slice(0, 32)}`;
}

/**
 * Statuses an operator can list: the journal's, plus `ignored` — events no
 * mapping selects (and mappings with `action: ignore`), stored `filtered`
 * with `action: ignored`, so they purge like any other finished record.
 */
export type MessageStatus = ItemStatus | 'ignored';
export const messageStatuses: readonly MessageStatus[] = [...itemStatuses, 'ignored'];

export function isMessageStatus(value: string): value is MessageStatus {
  return (messageStatuses as readonly string[]).includes(value);
}

/** The journal query for a listed status. */
export function statusQuery(status: MessageStatus | undefined): { status?: ItemStatus; meta?: ItemMeta } {
  if (status === undefined) return {};
  return status === 'ignored' ? { status: 'filtered', meta: { action: 'ignored' } } : { status };
}
