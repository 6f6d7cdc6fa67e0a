import { z } from 'zod';
import { durationSchema } from '../../core/config/duration.js';
import { legacyKeys } from '../../core/config/renamed.js';

/**
 * `connector.fhir:` — the FHIR R4 door on the connector's HTTP port (same
 * bearer tokens and body limit as `POST /hl7`). Owned by connector/fhir/.
 */
export const fhirIntakeConfigSchema = legacyKeys(
  z.strictObject({
    /** Folder of FHIR mapping files, relative to the working directory. @default '<connector.mappings>/fhir' */
    mappings: z.string().min(1).optional(),
    /** Answer every request as if it said `Prefer: respond-sync` (wait for the API's answer). @default false */
    respondSync: z.boolean().default(false),
    /** Longest wait for the API's answer under respond-sync (`30s`); past it the answer is 202 + a status URL. Old name `syncTimeoutMs`. @default 30s */
    syncTimeout: durationSchema.refine((ms) => ms >= 100 && ms <= 300_000, 'expected a duration from 100ms to 5m').default(30_000),
  }),
  { syncTimeoutMs: { to: 'syncTimeout', unit: 'ms' } },
).prefault({});

export type FhirIntakeConfig = z.infer<typeof fhirIntakeConfigSchema>;
