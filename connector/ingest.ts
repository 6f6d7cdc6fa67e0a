/**
 * `ingest(input, deps)`: the one intake pipeline every door calls. The input
 * says what arrived (HL7 v2 bytes, a FHIR resource); each format takes the
 * same steps — admit → map → dedupe → commit → answer — with the format's
 * own half (connector/ingest-hl7.ts, connector/ingest-fhir.ts) and the
 * shared dedupe and commit (connector/ingest-steps.ts). Doors only
 * translate their transport to an input and the result back.
 */
import type { Resource } from 'fhir/r4.js';
import type { Clock } from '../core/clock.js';
import type { Journal, JournalItem } from '../core/journal/types.js';
import type { Logger } from '../core/logger.js';
import type { ConnectorConfig } from './config.js';
import type { AckCode } from './hl7/ack-mode.js';
import type { FhirMapping } from './fhir/mapping-compile.js';
import type { PreparedReferral } from './fhir/prepare.js';
import type { Mapping } from './mapping/compile.js';
import type { ConnectorMetrics } from './metrics.js';
import type { Door, FhirEndpoint, FhirOutboxPayload } from './outbox.js';
import { ingestFhir } from './ingest-fhir.js';
import { ingestHl7 } from './ingest-hl7.js';

export { admit, type Admission } from './ingest-hl7.js';

export interface Hl7IngestInput {
  kind: 'hl7';
  /** One message's bytes (an MLLP frame's payload, an HTTP body). */
  bytes: Buffer;
  door: Door;
  /** The sending system's address (the TCP peer), kept with the message: an engine's IP, not patient data. */
  peer?: string | undefined;
}

export interface FhirIngestInput {
  kind: 'fhir';
  /** The parsed JSON body (validated as R4 by the pipeline, not the door). */
  body: unknown;
  /** `ServiceRequest` for `POST /fhir/ServiceRequest`, `Bundle` for `POST /fhir`. */
  endpoint: FhirEndpoint;
  /** The `If-None-Exist` header, when sent. */
  ifNoneExist?: string | undefined;
  door: 'http';
  peer?: string | undefined;
}

export type IngestInput = Hl7IngestInput | FhirIngestInput;

export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict' | 'filtered' | 'ignored' | 'cancel' | 'error' | 'reject' | 'unavailable' | 'ack-ignored';

export interface Hl7IngestResult {
  kind: 'hl7';
  outcome: IngestOutcome;
  /** The ACK to send, encoded like the message; undefined when none is due (an ACK came in, MSH-15 asked for none). */
  reply?: Buffer;
  /** MSA-1 of the reply. */
  code?: AckCode;
  /** Encoding of `reply` (for an HTTP charset). */
  encoding: string;
  itemId?: number | undefined;
}

/**
 * A FHIR referral stored, or found stored. Refusals are thrown as
 * FhirOutcomeError (400/409/422) and storage failures as
 * StorageUnavailableError (503): the door answers them as OperationOutcomes.
 */
export interface FhirIngestResult {
  kind: 'fhir';
  outcome: Extract<IngestOutcome, 'accepted' | 'duplicate'>;
  item: JournalItem<FhirOutboxPayload>;
  prepared: PreparedReferral;
  body: Resource;
}

export type IngestResultFor<I extends IngestInput> = I extends Hl7IngestInput ? Hl7IngestResult : FhirIngestResult;

export interface IngestDeps {
  journal: Journal;
  /** HL7 v2 mappings (`mappings/*.yaml`). */
  mappings: readonly Mapping[];
  hl7: ConnectorConfig['hl7'];
  /** FHIR mappings (`mappings/fhir/*.yaml`) and whether a `fhir`-target request is de-identified (a sandbox key). */
  fhir?: { mappings: readonly FhirMapping[]; deidentify: boolean } | undefined;
  /** Mapping file → content hash (connector/mapping/registry.ts), of the same set as `mappings` and `fhir`: stored as meta `mappingHash`. */
  mappingHashes?: ReadonlyMap<string, string> | undefined;
  clock: Clock;
  logger: Logger;
  metrics?: ConnectorMetrics | undefined;
  /** The install's pseudonym key (delivery/pseudonym-key.ts) for order keys and pseudonyms. @default a per-process key (tests) */
  pseudonymKey?: Buffer | undefined;
}

export async function ingest<I extends IngestInput>(input: I, deps: IngestDeps): Promise<IngestResultFor<I>> {
  // A new format is a new member of IngestInput: this switch stops compiling until it is wired.
  switch (input.kind) {
    case 'hl7':
      return (await ingestHl7(input, deps)) as IngestResultFor<I>;
    case 'fhir':
      return (await ingestFhir(input, deps)) as IngestResultFor<I>;
    default: {
      const never: never = input;
      throw new Error(`unhandled ingest input ${(never as { kind?: string }).kind}`);
    }
  }
}
