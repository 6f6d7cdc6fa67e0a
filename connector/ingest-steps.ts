/**
 * The steps every door's messages share once they are admitted and mapped:
 * dedupe (same key, same content = a resend; same key, other content = a
 * conflict), commit to the outbox, and the records kept for the operator of
 * what was refused. The format-specific halves (connector/ingest-hl7.ts,
 * connector/ingest-fhir.ts) decide what to commit and how to answer.
 */
import { describeError } from '../core/errors.js';
import { normalizeAddress } from '../core/mllp/allow-from.js';
import type { ItemMeta, ItemStatus, Journal, JournalItem } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { ConnectorMetrics } from './metrics.js';
import { contentHash, contentOf, outboxQueue, readOutboxPayload, type OutboxPayload } from './outbox.js';

/** What one door's half hands to the shared steps. */
export interface Candidate {
  key: string;
  orderKey?: string | undefined;
  payload: OutboxPayload;
  meta: ItemMeta;
  /** `filtered` for records that are answered but never sent. @default 'queued' */
  status?: Extract<ItemStatus, 'queued' | 'filtered'>;
}

export type Repeat =
  /** Same key, same content: the sender sent it again (lost ACK, engine resend). */
  | { verdict: 'resend'; item: JournalItem }
  /** Same key, different content: a control id reused for another message. */
  | { verdict: 'conflict'; item: JournalItem };

export type Committed = { verdict: 'stored'; item: JournalItem } | Repeat;

export interface StepDeps {
  journal: Journal;
  logger: Logger;
  metrics?: ConnectorMetrics | undefined;
}

/** The hash a candidate is stored with (meta `contentHash`). */
export function hashOf(payload: OutboxPayload): string {
  return contentHash(contentOf(payload));
}

/**
 * Items stored before content hashes were kept have none: their stored
 * content is hashed instead; when retention already removed it, the repeat
 * is taken for a resend, as it always was.
 */
function storedHash(item: JournalItem): string | undefined {
  if (typeof item.meta.contentHash === 'string') return item.meta.contentHash;
  const payload = readOutboxPayload(item.payload);
  const content = contentOf(payload);
  return content === '' ? undefined : contentHash(content);
}

function classify(item: JournalItem, hash: string, deps: StepDeps): Repeat {
  const stored = storedHash(item);
  const verdict = stored === undefined || stored === hash ? 'resend' : 'conflict';
  deps.metrics?.duplicates.inc({ verdict });
  return { verdict, item };
}

/** The repeat a key already names, if any. Throws when the journal cannot be read. */
export async function dedupe(deps: StepDeps, key: string, hash: string): Promise<Repeat | undefined> {
  const existing = await deps.journal.getByKey(outboxQueue, key);
  return existing === undefined ? undefined : classify(existing, hash, deps);
}

/** The sending system's address in plain meta (`::ffff:10.0.0.5` read as `10.0.0.5`); nothing when unknown. */
export const peerMeta = (peer: string | undefined): { peer?: string } => (peer === undefined || peer === '' ? {} : { peer: normalizeAddress(peer) });

/**
 * The door in plain meta, so dashboards count by door without opening
 * (decrypting) payloads: `mllp` or `http` for HL7 v2, `fhir` for the FHIR door.
 */
export const doorOf = (payload: { kind?: string; door?: string }): string | null => (payload.kind === 'fhir' ? 'fhir' : (payload.door ?? null));

/** Commit a candidate; a key another request committed meanwhile is classified like a repeat. */
export async function commit(deps: StepDeps, candidate: Candidate): Promise<Committed> {
  const hash = hashOf(candidate.payload);
  const { item, created } = await deps.journal.enqueue({
    queue: outboxQueue,
    key: candidate.key,
    orderKey: candidate.orderKey,
    payload: candidate.payload,
    status: candidate.status ?? 'queued',
    meta: { ...candidate.meta, door: doorOf(candidate.payload), contentHash: hash },
  });
  return created ? { verdict: 'stored', item } : classify(item, hash, deps);
}

/**
 * Keep what was refused, best effort, for `messages list --status rejected`.
 * No duplicate-detection key: the same control id can be sent again once
 * the data or the mapping is fixed.
 */
export async function recordRejected(deps: StepDeps, payload: OutboxPayload, meta: ItemMeta): Promise<number | undefined> {
  try {
    const { item } = await deps.journal.enqueue({ queue: outboxQueue, payload, status: 'rejected', meta: { ...meta, door: doorOf(payload), contentHash: hashOf(payload) } });
    return item.id;
  } catch (error) {
    deps.logger.warn({ err: describeError(error) }, 'could not record a rejected message');
    return undefined;
  }
}

/**
 * Keep a conflicting reuse of a key for the operator: `rejected`, never
 * delivered, under a key of its own (the original key + its content hash),
 * so it neither blocks nor replaces the original and the same conflicting
 * message sent again is kept once.
 */
export async function recordConflict(deps: StepDeps, candidate: Candidate, original: JournalItem, reason: string): Promise<number | undefined> {
  const hash = hashOf(candidate.payload);
  // No request is kept: a replay of this record must have nothing to send.
  const { request: _request, idempotencyKey: _key, identifiers: _identifiers, ...kept } = candidate.payload;
  try {
    const { item } = await deps.journal.enqueue({
      queue: outboxQueue,
      key: `${candidate.key}#conflict:${hash.slice('sha256:'.length, 'sha256:'.length + 24)}`,
      payload: { ...kept, reason },
      status: 'rejected',
      meta: { ...candidate.meta, door: doorOf(candidate.payload), ack: 'AR', reason: 'duplicate-conflict', conflictsWith: original.id, contentHash: hash },
    });
    return item.id;
  } catch (error) {
    deps.logger.warn({ err: describeError(error) }, 'could not record a conflicting duplicate');
    return undefined;
  }
}
