import { z } from 'zod';

/**
 * `connector.fhir:` — the FHIR R4 door on the connector's HTTP port (same
 * bearer tokens and body limit as `POST /hl7`). Owned by connector/fhir/.
 */
export const fhirIntakeConfigSchema = z
  .strictObject({
    /** Folder of FHIR mapping files, relative to the working directory. @default '<connector.mappings>/fhir' */
    mappings: z.string().min(1).optional(),
    /** Answer every request as if it said `Prefer: respond-sync` (wait for the API's answer). @default false */
    respondSync: z.boolean().default(false),
    /** Longest wait for the API's answer under respond-sync, in ms; past it the answer is 202 + a status URL. @default 30000 */
    syncTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  })
  .prefault({});

export type FhirIntakeConfig = z.infer<typeof fhirIntakeConfigSchema>;
