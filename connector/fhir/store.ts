/**
 * The FHIR door's read of the outbox for `Prefer: respond-sync`: storing is
 * the pipeline's (connector/ingest-fhir.ts, the same dedupe and commit as
 * HL7 v2); this only waits for the worker's verdict on what was stored.
 */
import type { Journal, JournalItem } from '../../core/journal/types.js';
import type { FhirOutboxPayload } from '../outbox.js';

/**
 * Wait (bounded) until an item is no longer queued. Polls the journal: a
 * commit by the worker may happen in another process (PostgreSQL), so an
 * in-process event would not be enough.
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
