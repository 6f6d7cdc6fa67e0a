/**
 * The FHIR R4 half of the intake pipeline: admit and map in one pure step
 * (`prepareReferral`: R4 validation 400, referral needs and mapping 422),
 * then the same dedupe and commit as HL7 v2 into the same outbox. The door
 * (connector/fhir/router.ts) turns the result, or the thrown
 * FhirOutcomeError / StorageUnavailableError, into HTTP.
 */
import type { Resource } from 'fhir/r4.js';
import { StorageUnavailableError } from '../core/errors.js';
import { FhirOutcomeError } from '../core/fhir/outcome.js';
import type { JournalItem } from '../core/journal/types.js';
import type * as Prepare from './fhir/prepare.js';
import { commit, dedupe, hashOf, peerMeta, recordConflict, type Candidate, type Repeat } from './ingest-steps.js';
import type { FhirIngestInput, FhirIngestResult, IngestDeps } from './ingest.js';
import type { FhirOutboxPayload } from './outbox.js';

/**
 * The FHIR door's validation (`@medplum/core`, and the R4 definitions it
 * parses on first use) is imported with the first FHIR request, once: a
 * connector that takes only HL7 v2 never holds it (#16 aim 3).
 */
let prepare: Promise<typeof Prepare> | undefined;
const loadPrepare = (): Promise<typeof Prepare> => (prepare ??= import('./fhir/prepare.js'));

async function storage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
  }
}

export async function ingestFhir(input: FhirIngestInput, deps: IngestDeps): Promise<FhirIngestResult> {
  const log = deps.logger;
  deps.metrics?.received.inc({ door: 'fhir' });
  const { prepareReferral } = await loadPrepare();
  const prepared = prepareReferral(input.body, { kind: input.endpoint, mappings: deps.fhir?.mappings ?? [], deidentify: deps.fhir?.deidentify ?? false, pseudonymKey: deps.pseudonymKey, ifNoneExist: input.ifNoneExist });
  const body = input.body as Resource;
  const payload: FhirOutboxPayload = {
    v: 1,
    kind: 'fhir',
    door: input.door,
    request: prepared.request,
    identifiers: prepared.identifiers,
    idempotencyKey: prepared.idempotencyKey,
    fhir: { endpoint: input.endpoint, body },
  };
  // Which version of the file mapped it (issue #15 §4), from the same set `prepareReferral` was given.
  const mappingHash = deps.mappingHashes?.get(prepared.mapping.file);
  const meta = { ...prepared.meta, ...peerMeta(input.peer), ...(mappingHash === undefined ? {} : { mappingHash }) };
  const candidate: Candidate = { key: prepared.key, orderKey: prepared.orderKey, payload, meta };
  const found = (repeat: Repeat): Promise<FhirIngestResult> => answerRepeat(repeat, candidate, prepared.conditional, deps).then((item) => ({ kind: 'fhir', outcome: 'duplicate', item, prepared, body }));

  const repeat = await storage(() => dedupe(deps, prepared.key, hashOf(payload)));
  if (repeat !== undefined) return found(repeat);
  const committed = await storage(() => commit(deps, candidate));
  if (committed.verdict !== 'stored') return found(committed);
  log.info({ itemId: committed.item.id, key: prepared.idempotencyKey, mapping: prepared.mapping.name, target: prepared.request.target }, 'fhir referral stored');
  return { kind: 'fhir', outcome: 'accepted', item: committed.item as JournalItem<FhirOutboxPayload>, prepared, body };
}

/**
 * A resend is answered with the stored item. A conditional create matches on
 * its identifier alone (R4 §3.1.0.8.1: a match means "do nothing"), so only a
 * plain repeat of a key with other content is a conflict: 409, kept for the
 * operator, never delivered — as HL7 v2 answers AR 205.
 */
async function answerRepeat(repeat: Repeat, candidate: Candidate, conditional: boolean, deps: IngestDeps): Promise<JournalItem<FhirOutboxPayload>> {
  if (repeat.verdict === 'resend' || conditional) {
    deps.logger.info({ itemId: repeat.item.id }, 'fhir referral repeated: not queued again');
    return repeat.item as JournalItem<FhirOutboxPayload>;
  }
  const text = 'a referral with this identifier was already received with different content: send it with a new identifier';
  deps.logger.warn({ itemId: repeat.item.id }, 'fhir identifier reused with different content: refused');
  const recorded = await recordConflict(deps, candidate, repeat.item, text);
  throw new FhirOutcomeError('DUPLICATE_CONFLICT', 409, [{ code: 'duplicate', diagnostics: `${text} (kept as message ${recorded ?? 'unrecorded'})`, expression: candidate.payload.kind === 'fhir' && candidate.payload.fhir.endpoint === 'Bundle' ? 'Bundle.identifier' : 'ServiceRequest.identifier' }]);
}
