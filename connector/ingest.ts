/**
 * `ingest(input, deps)`: the one intake pipeline every door calls. The input
 * says what arrived (HL7 v2 bytes, a FHIR resource); each format takes the
 * same steps — admit → map → dedupe → commit → answer — with the format's
 * own half (connector/ingest-hl7.ts, connector/ingest-fhir.ts) and the
 * shared dedupe and commit (connector/ingest-steps.ts). Doors only
 * translate their transport to an input and the result back.
 */
import { ingestFhir } from './ingest-fhir.js';
import { ingestHl7 } from './ingest-hl7.js';
import type { IngestDeps, IngestInput, IngestResultFor } from './ingest-types.js';

export { admit, type Admission } from './ingest-hl7.js';
export type * from './ingest-types.js';

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
