/**
 * Commit a prepared FHIR referral to the connector's outbox — the same
 * queue, payload shape and delivery worker as HL7 v2 — or find the item a
 * repeat already made. Persist first: nothing is answered 2xx before the
 * commit resolved.
 */
import type { Resource } from 'fhir/r4.js';
import { StorageUnavailableError } from '../../core/errors.js';
import type { Journal, JournalItem } from '../../core/journal/types.js';
import { outboxQueue, type OutboxPayload } from '../outbox.js';
import type { PreparedReferral } from './prepare.js';

/** An outbox payload from the FHIR door: `request` is what the worker sends; `fhir` keeps what was posted (patient data, local only). */
export type FhirOutboxPayload = OutboxPayload & { fhir: { endpoint: 'ServiceRequest' | 'Bundle'; body: Resource } };

export interface Stored {
  item: JournalItem<FhirOutboxPayload>;
  /** False for a repeat (same key) that was not queued again. */
  created: boolean;
}

export async function findByKey(journal: Journal, key: string): Promise<JournalItem<FhirOutboxPayload> | undefined> {
  try {
    return await journal.getByKey<FhirOutboxPayload>(outboxQueue, key);
  } catch (error) {
    throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
  }
}

export async function storeReferral(journal: Journal, prepared: PreparedReferral, body: Resource, endpoint: 'ServiceRequest' | 'Bundle'): Promise<Stored> {
  const payload: FhirOutboxPayload = {
    v: 1,
    // The HL7 fields stay empty: this message arrived as FHIR (kept whole under `fhir`).
    hl7: '',
    encoding: 'utf-8',
    door: 'http',
    request: prepared.request,
    identifiers: prepared.identifiers,
    idempotencyKey: prepared.idempotencyKey,
    fhir: { endpoint, body },
  };
  try {
    return await journal.enqueue<FhirOutboxPayload>({ queue: outboxQueue, key: prepared.key, orderKey: prepared.orderKey, payload, meta: prepared.meta });
  } catch (error) {
    throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
  }
}

/**
 * Wait (bounded) until an item is no longer queued, for `Prefer:
 * respond-sync`. Polls the journal: a commit by the worker may happen in
 * another process (PostgreSQL), so an in-process event would not be enough.
 */
export async function waitForOutcome(journal: Journal, id: number, timeoutMs: number, gone: () => boolean): Promise<JournalItem<FhirOutboxPayload> | undefined> {
  const deadline = Date.now() + timeoutMs;
  let pause = 25;
  for (;;) {
    const item = await journal.get<FhirOutboxPayload>(id);
    if (item === undefined || item.status !== 'queued') return item;
    if (gone() || Date.now() + pause > deadline) return item;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 250);
  }
}
