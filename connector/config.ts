import { z } from 'zod';

/** `connector:` section — HL7 v2 / FHIR intake and delivery. Owned by connector/. */
export const connectorConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    mllp: z.strictObject({ port: z.number().int().min(0).max(65535).default(2575) }).prefault({}),
    http: z.strictObject({ port: z.number().int().min(0).max(65535).default(8081) }).prefault({}),
  })
  .prefault({});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
